def test_me_with_bearer(console):
    r = console.client.get("/api/auth/me", headers=console.auth("alice"))
    assert r.status_code == 200, r.text
    assert r.json()["display_name"] == "张安娜"
