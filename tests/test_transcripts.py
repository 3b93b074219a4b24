from pbx.transcripts import agi_files, ami_files, read_records, received_stream


def test_every_transcript_parses_into_records(transcripts_dir):
    files = ami_files(transcripts_dir) + agi_files(transcripts_dir)
    assert len(files) >= 25
    for f in files:
        recs = read_records(f)
        assert any(r.direction == "received" for r in recs), f


def test_utf8_caller_name_survives_the_reader(transcripts_dir):
    stream = received_stream(transcripts_dir / "ami-02a-answered-originate-app-bridge.txt")
    assert "CallerIDName: 张安娜".encode() in stream
    assert stream.startswith(b"Asterisk Call Manager/11.0.0\r\n")


def test_agi_env_block_arrives_in_two_reads(transcripts_dir):
    recs = [r for r in read_records(transcripts_dir / "agi-01-env-and-ivr.txt") if r.direction == "received"]
    assert recs[0].payload.startswith(b"agi_network: yes\n")
    assert not recs[0].payload.endswith(b"\n\n")
    assert recs[1].payload.endswith(b"agi_arg_1: lang=zh\n\n")
