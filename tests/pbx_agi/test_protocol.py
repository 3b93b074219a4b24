"""The pure FastAGI codec, on the bytes of the real Asterisk 22 transcripts."""

from __future__ import annotations

import random

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pbx_agi_support import AGI_TRANSCRIPTS, transcript_env

from pbx.agi.protocol import (
    AgiProtocolError,
    HangupNotice,
    Reply,
    ReplyDecoder,
    encode_env_block,
    env_args,
    parse_env_block,
    parse_result,
    quote,
    split_command,
    word,
)
from pbx.agi.session import AgiResult
from pbx.transcripts import read_records


def _replies(path) -> list[bytes]:
    """Asterisk's bytes after the env block, as recorded."""
    chunks = [r.payload for r in read_records(path) if r.direction == "received"]
    stream = b"".join(chunks)
    return [stream[stream.index(b"\n\n") + 2:]]


def test_env_block_of_agi01_parses_with_utf8_name_and_args(transcripts_dir):
    env = transcript_env(transcripts_dir / "agi-01-env-and-ivr.txt")
    assert env["agi_calleridname"] == "张安娜"
    assert env["agi_network_script"] == "ivr"
    assert env["agi_request"] == "agi://127.0.0.1:4573/ivr"
    assert env["agi_accountcode"] == ""
    assert env_args(env) == ["lang=zh"]
    assert len(env) == 23


@pytest.mark.parametrize("name", AGI_TRANSCRIPTS)
def test_env_block_round_trips_byte_for_byte(transcripts_dir, name):
    stream = b"".join(r.payload for r in read_records(transcripts_dir / name)
                      if r.direction == "received")
    block = stream[: stream.index(b"\n\n") + 2]
    assert encode_env_block(parse_env_block(block)) == block


@pytest.mark.parametrize("bad", [b"hello\n\n", b"GET / HTTP/1.1\r\nHost: x\r\n\r\n",
                                 b"agi_x yes\n\n", b"\n\n", b"Agi_network: yes\n\n"])
def test_env_block_garbage_is_rejected(bad):
    with pytest.raises(AgiProtocolError):
        parse_env_block(bad)


def test_agi02_reply_stream_decodes_to_the_catalogue(transcripts_dir):
    # agi-02 as recorded: the 520 usage reply arrives in two reads.
    chunks = [r.payload for r in read_records(transcripts_dir / "agi-02-commands.txt")
              if r.direction == "received"][2:]
    dec = ReplyDecoder()
    frames = [f for c in chunks for f in dec.feed(c)]
    assert not dec.pending
    results = [parse_result(f) if isinstance(f, Reply) and f.code == 200 else f for f in frames]
    assert results[:18] == [
        AgiResult(200, "0"),
        AgiResult(200, "49", None, 21280),
        AgiResult(200, "0", None, 3404),
        AgiResult(200, "2345"),
        AgiResult(200, "", "timeout"),
        AgiResult(200, "7", "timeout"),
        AgiResult(200, "56"),
        AgiResult(200, "0"),
        AgiResult(200, "0"),
        AgiResult(200, "0"),
        AgiResult(200, "1"),
        AgiResult(200, "1", "zh"),
        AgiResult(200, "0"),
        AgiResult(200, "1", "张安娜 <13800138000>"),
        AgiResult(200, "1", ""),
        AgiResult(200, "0"),
        AgiResult(200, "-2"),
        Reply(510, "Invalid or unknown command"),
    ]
    usage = results[18]
    assert isinstance(usage, Reply) and usage.code == 520
    assert usage.text == "Invalid command syntax.  Proper usage follows:"
    assert usage.body[-1] == "520 End of proper usage."
    assert "    <value>FAILED</value>" in usage.body
    assert results[19:] == [AgiResult(200, "1"), AgiResult(200, "6"), AgiResult(200, "1")]
    assert results[1].digit == "1" and results[6].digit == "8" and results[7].digit is None


@pytest.mark.parametrize("name", AGI_TRANSCRIPTS)
def test_every_transcript_decodes_the_same_in_any_chunking(transcripts_dir, name):
    (stream,) = _replies(transcripts_dir / name)
    whole = ReplyDecoder().feed(stream)
    rng = random.Random(name)
    for _ in range(20):
        dec, frames, i = ReplyDecoder(), [], 0
        while i < len(stream):
            n = rng.randint(1, 7)
            frames += dec.feed(stream[i:i + n])
            i += n
        assert frames == whole
    assert sum(isinstance(f, Reply) for f in whole) == len(
        [r for r in read_records(transcripts_dir / name) if r.direction == "sent"])


def test_hangup_notice_and_dead_channel_replies_of_agi03a(transcripts_dir):
    (stream,) = _replies(transcripts_dir / "agi-03a-hangup-during-stream-file.txt")
    frames = ReplyDecoder().feed(stream)
    assert frames[1] == Reply(200, "result=-1 endpos=20160")
    assert frames[2] == HangupNotice()
    assert frames[3] == Reply(511, "Command Not Permitted on a dead channel or intercept routine")


def test_record_file_reply_of_agi04(transcripts_dir):
    (stream,) = _replies(transcripts_dir / "agi-04-record-file.txt")
    frames = ReplyDecoder().feed(stream)
    assert parse_result(frames[1]) == AgiResult(200, "35", "dtmf", 33680)


def test_intermediate_and_trailing_text_replies():
    assert parse_result(Reply(100, "result=0 Trying...")) == AgiResult(100, "0")
    assert parse_result(Reply(200, "result=-1 (hangup) endpos=800")) == AgiResult(
        200, "-1", "hangup", 800)
    with pytest.raises(AgiProtocolError):
        parse_result(Reply(200, "nonsense"))


def test_utf8_split_inside_a_character_decodes_whole():
    data = "200 result=1 (张安娜 <13800138000>)\n".encode()
    cut = data.index("张".encode()) + 1
    dec = ReplyDecoder()
    assert dec.feed(data[:cut]) == []
    assert dec.feed(data[cut:]) == [Reply(200, "result=1 (张安娜 <13800138000>)")]


def test_overlong_line_is_a_protocol_error():
    with pytest.raises(AgiProtocolError):
        ReplyDecoder().feed(b"2" * 70000)


def test_command_quoting_matches_the_transcripts():
    assert f"SET VARIABLE IVR_CHOICE {quote('1')}" == 'SET VARIABLE IVR_CHOICE "1"'
    assert f"STREAM FILE {word('beep')} {quote('')}" == 'STREAM FILE beep ""'
    assert quote('say "hi" \\ 你好') == '"say \\"hi\\" \\\\ 你好"'
    assert word("a b") == '"a b"'
    with pytest.raises(ValueError):
        quote("x\nHANGUP")


@given(st.lists(st.text(alphabet=st.characters(blacklist_characters="\n\r\x00",
                                                 blacklist_categories=("Cs",))), max_size=5))
def test_quoted_arguments_survive_asterisks_argument_parser(args):
    line = "EXEC " + " ".join(quote(a) for a in args)
    assert split_command(line) == ["EXEC", *args]


@given(st.lists(st.binary(max_size=40), max_size=30))
def test_decoder_never_fails_with_anything_but_a_protocol_error(chunks):
    dec = ReplyDecoder()
    for c in chunks:
        try:
            frames = dec.feed(c)
        except AgiProtocolError:
            dec = ReplyDecoder()
            continue
        assert all(isinstance(f, Reply | HangupNotice) for f in frames)
