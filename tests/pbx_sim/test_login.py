"""ami-01a / ami-01b: banner, Login, Ping, unknown action, Events mask, Logoff."""

from __future__ import annotations

from sim_rig import RawAmi

from pbx.sim import SimAsterisk


async def test_login_ping_unknown_events_logoff_like_ami_01a(sim: SimAsterisk) -> None:
    c = RawAmi()
    await c.connect(sim.ami_port)
    assert c.raw.startswith(b"Asterisk Call Manager/11.0.0\r\n")
    r = await c.action(Action="Login", ActionID="login-1", Username="hotline",
                       Secret="hotline-secret")
    assert (r["Response"], r["Message"]) == ("Success", "Authentication accepted")
    booted = await c.wait_event("FullyBooted")
    assert "Timestamp" not in booted and booted["Privilege"] == "system,all"
    auth = await c.wait_event("SuccessfulAuth")
    assert auth["Privilege"] == "security,all" and auth["AccountID"] == "hotline"
    assert c.messages.index(booted) < c.messages.index(auth)
    pong = await c.action(Action="Ping", ActionID="ping-1")
    assert list(pong) == ["Response", "ActionID", "Ping", "Timestamp"]
    await c.send(Action="Ping")
    pong2 = await c.wait_for(lambda m: m.get("Ping") == "Pong" and "ActionID" not in m)
    assert list(pong2) == ["Response", "Ping", "Timestamp"]
    err = await c.action(Action="NoSuchAction", ActionID="nosuchaction-2")
    assert err["Message"] == ("Invalid/unknown command: NoSuchAction. Use Action: ListCommands "
                              "to show available commands.")
    lower = await c.action(Action="ping", ActionID="ping-3")
    assert lower["Ping"] == "Pong"
    bad = await c.wait_event("RequestBadFormat")
    assert bad["RequestType"] == "Action: NoSuchAction"
    assert c.messages.index(bad) < c.messages.index(lower)  # arrives with the next action, like ami-01a
    off = await c.action(Action="Events", ActionID="events-4", EventMask="off")
    assert off["Events"] == "Off"
    on = await c.action(Action="Events", ActionID="events-5", EventMask="on")
    assert on["Events"] == "On"
    # a second client fails to log in: this one sees RequestNotAllowed + InvalidPassword
    other = RawAmi()
    await other.connect(sim.ami_port)
    await other.action(Action="Ping", ActionID="p")
    await other.action(Action="Login", ActionID="l", Username="hotline", Secret="nope")
    await c.wait_event("RequestNotAllowed")
    await c.wait_event("InvalidPassword")
    bye = await c.action(Action="Logoff", ActionID="logoff-1")
    assert (bye["Response"], bye["Message"]) == ("Goodbye", "Thanks for all the fish.")
    await c.eof.wait()
    await other.close()


async def test_bad_secret_closes_the_connection_like_ami_01b(sim: SimAsterisk) -> None:
    c = RawAmi()
    await c.connect(sim.ami_port)
    r = await c.action(Action="Ping", ActionID="ping-before-login")
    assert (r["Response"], r["Message"]) == ("Error", "Permission denied")
    r = await c.action(Action="Login", ActionID="login-1", Username="hotline",
                       Secret="wrong-secret")
    assert (r["Response"], r["Message"]) == ("Error", "Authentication failed")
    await c.eof.wait()
    assert c.raw.endswith(b"Message: Authentication failed\r\n\r\n")


async def test_every_connected_client_gets_the_events(sim: SimAsterisk, ami: RawAmi) -> None:
    second = RawAmi()
    await second.connect(sim.ami_port)
    await second.login()
    from pbx.sim import CallerScript

    chan = await sim.place_call(CallerScript(patience_s=1.0))
    for c in (ami, second):
        await c.wait_event("Hangup", Channel=chan)
    await second.close()
