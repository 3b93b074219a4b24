from hypothesis import given, settings
from hypothesis import strategies as st

from pbx.ami.codec import AmiDecoder, AmiFrameError, AmiMessage, encode_message, parse_message
from pbx.transcripts import ami_files, received_chunks, received_stream


def _decode_all(data: bytes, step: int) -> list:
    d = AmiDecoder()
    out = []
    for i in range(0, len(data), step):
        out.extend(d.feed(data[i : i + step]))
    return out


def _per_connection(path) -> list[bytes]:
    """ami-11 holds two connections (before and after a restart): one stream each."""
    conns: list[bytes] = []
    for chunk in received_chunks(path):
        if chunk.startswith(b"Asterisk Call Manager/") or not conns:
            conns.append(b"")
        conns[-1] += chunk
    return conns


def test_every_transcript_decodes_without_frame_errors(transcripts_dir):
    for f in ami_files(transcripts_dir):
        msgs = [m for conn in _per_connection(f) for m in _decode_all(conn, 4096)]
        errors = [m for m in msgs if isinstance(m, AmiFrameError)]
        assert not errors, (f.name, errors[:1])
        # one AMI message per recorded chunk, except the banner chunks
        chunks = [c for c in received_chunks(f) if not c.startswith(b"Asterisk Call Manager/")]
        assert len(msgs) == len(chunks), f.name


def test_utf8_name_split_between_reads_arrives_whole(transcripts_dir):
    data = received_stream(transcripts_dir / "ami-02a-answered-originate-app-bridge.txt")
    # cut inside every multi-byte character: 1-byte reads
    msgs = _decode_all(data, 1)
    names = {m.get("CallerIDName") for m in msgs if isinstance(m, AmiMessage)}
    assert "张安娜" in names
    assert not any(n and "\ufffd" in n for n in names)


def test_banner_is_read_once():
    d = AmiDecoder()
    assert d.feed(b"Asterisk Call Man") == []
    msgs = d.feed(b"ager/11.0.0\r\nResponse: Success\r\nMessage: ok\r\n\r\n")
    assert d.banner == "Asterisk Call Manager/11.0.0"
    assert msgs[0]["Message"] == "ok"


def test_repeated_keys_and_empty_values():
    m = parse_message("Event: Status\r\nPrivilege: Call\r\nVariable: A=1\r\nVariable: B=\r\nValue:")
    assert isinstance(m, AmiMessage)
    assert m.getall("Variable") == ["A=1", "B="]
    assert m.variables() == {"A": "1", "B": ""}
    assert m["Value"] == ""


def test_values_may_contain_colon_space():
    m = parse_message("Response: Error\r\nMessage: Channel does not exist: PJSIP/x")
    assert m["Message"] == "Channel does not exist: PJSIP/x"


def test_garbage_is_reported_not_raised():
    d = AmiDecoder()
    out = d.feed(b"Asterisk Call Manager/11.0.0\r\n\x00\xff garbage\r\n\r\nEvent: Ping\r\n\r\n")
    assert isinstance(out[0], AmiFrameError)
    assert isinstance(out[1], AmiMessage) and out[1].event == "Ping"


def test_endless_line_is_cut():
    d = AmiDecoder(max_message=1000)
    d.feed(b"Asterisk Call Manager/11.0.0\r\n")
    out = d.feed(b"x" * 5000)
    assert len(out) == 1 and isinstance(out[0], AmiFrameError)


def test_encode_refuses_header_injection():
    import pytest

    with pytest.raises(ValueError):
        encode_message({"Action": "Setvar", "Value": "x\r\nAction: Hangup"})
    assert encode_message([("Action", "Ping"), ("Variable", ["A=1", "B=2"])]) == (
        b"Action: Ping\r\nVariable: A=1\r\nVariable: B=2\r\n\r\n"
    )


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=2000), st.integers(min_value=1, max_value=64))
def test_fuzzed_bytes_never_raise(data, step):
    _decode_all(b"Asterisk Call Manager/11.0.0\r\n" + data, step)
