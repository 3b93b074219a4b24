"""One Settings object for the whole application.

Values come from (highest first): explicit keyword arguments, environment variables
prefixed ``HOTLINE_`` (``HOTLINE_AMI_HOST=10.0.0.5``), the YAML file named by
``HOTLINE_CONFIG``, then the defaults below. The defaults are the embedded mode:
a SQLite file and the simulated Asterisk on loopback.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

import yaml
from pydantic import Field, field_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

from hotline.phones import parse_agent_list


class ConfigFileError(ValueError):
    """The YAML file named by HOTLINE_CONFIG cannot be used."""


class _YamlSource(PydanticBaseSettingsSource):
    """Reads the YAML file named by ``HOTLINE_CONFIG`` (if any)."""

    def __init__(self, settings_cls: type[BaseSettings]) -> None:
        super().__init__(settings_cls)
        path = os.environ.get("HOTLINE_CONFIG")
        self._data: dict[str, Any] = {}
        if path:
            p = Path(path)
            if not p.is_file():
                raise ConfigFileError(f"HOTLINE_CONFIG names {path!r}, which is not a file.")
            try:
                loaded = yaml.safe_load(p.read_text(encoding="utf-8")) or {}
            except yaml.YAMLError as exc:
                raise ConfigFileError(f"{path}: not valid YAML: {exc}") from exc
            if not isinstance(loaded, dict):
                raise ConfigFileError(f"{path}: the top level must be a mapping of setting: value.")
            self._data = {str(k).lower(): v for k, v in loaded.items()}

    def get_field_value(self, field: Any, field_name: str) -> tuple[Any, str, bool]:
        return self._data.get(field_name), field_name, False

    def __call__(self) -> dict[str, Any]:
        return {k: v for k, v in self._data.items() if k in self.settings_cls.model_fields}


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="HOTLINE_", extra="ignore")

    # --- storage ---------------------------------------------------------
    database_url: str = "sqlite+aiosqlite:///./hotline.db"
    data_dir: Path = Path("./var")
    recordings_dir: Path = Path("./var/recordings")
    # the scheduled daily / weekly / monthly report files (reports.schedule): on or off, and
    # where (None: <data_dir>/reports)
    scheduled_reports: bool = True
    reports_dir: Path | None = None
    # how often the schedule checks for ended days and refreshes today's facts, seconds
    report_refresh_interval_s: float = Field(default=300.0, gt=0.0, le=86400.0)
    prompts_dir: Path = Path("./var/prompts")

    # --- Asterisk (AMI) --------------------------------------------------
    pbx_mode: Literal["sim", "asterisk"] = "sim"
    ami_host: str = "127.0.0.1"
    ami_port: int = 5038
    ami_username: str = "hotline"
    ami_secret: str = "hotline-secret"
    ami_connect_timeout: float = 5.0
    ami_reconnect_max_delay: float = 30.0
    # The Asterisk server's own time zone: CDR times (AMI Cdr, Master.csv) are its local time.
    asterisk_timezone: str = "UTC"

    # --- FastAGI -----------------------------------------------------------
    agi_host: str = "127.0.0.1"
    agi_port: int = 4573
    # Address Asterisk uses to reach our FastAGI server (rendered into extensions.conf).
    agi_public_host: str = "127.0.0.1"

    # --- HTTP ----------------------------------------------------------------
    http_host: str = "127.0.0.1"
    http_port: int = 8080
    secret_key: str = Field(default="change-me-in-production", repr=False)

    # --- contact center --------------------------------------------------------
    timezone: str = "Asia/Shanghai"
    default_language: str = "zh"
    trunk_endpoint: str = "hotline-trunk"
    agent_endpoint_prefix: str = "PJSIP/agent"
    ivr_menu_file: Path | None = None
    ring_timeout_s: float = 15.0

    # --- browser phones (WebRTC agents; hotline.phones) ------------------------------
    # Agents whose phone is the browser console, e.g. "1001-1010,1020"; the others have SIP
    # phones. `hotline asterisk-conf render` gives exactly these webrtc=yes endpoints, and
    # the console gives exactly these a phone (GET /api/agent/phone).
    webrtc_agents: str = ""
    # What the browsers connect to: Asterisk's WSS, e.g. wss://pbx.example.org:8089/ws
    webrtc_ws_uri: str = ""
    # The domain of the agents' SIP URIs (sip:agent1001@DOMAIN); empty: the host of webrtc_ws_uri
    webrtc_sip_domain: str = ""
    # STUN/TURN URLs for the browsers' ICE, e.g. ["stun:stun.example.org:3478"]
    webrtc_ice_servers: list[str] = Field(default_factory=list)
    # when lost callers may be called back (the callee's local time; reports winback)
    callback_hours: str = "09:00-21:00"
    # how often the user-defined traffic alarms are evaluated on the call-event log (reports.alarms)
    traffic_alarm_interval_s: float = Field(default=15.0, gt=0.0, le=3600.0)
    # how often wrap-ups in the call-event log are turned into CRM interactions
    interaction_sync_interval_s: float = Field(default=2.0, gt=0.0, le=3600.0)

    # --- interpreter tuning for a latency-bound process (hotline.tuning) ------------
    # The young generation's threshold: objects that die within a few thousand
    # allocations (a call's frames, a query's rows) are freed by reference counting and
    # never promoted, so full collections, which pause the event loop for ~0.1 s, become
    # rare. 0 keeps Python's default (700).
    gc_young_threshold: int = Field(default=50_000, ge=0)
    # How long a thread may hold the GIL before another (a database worker handing back
    # a result) gets it; Python's default is 5 ms. 0 keeps the default.
    gil_switch_interval_s: float = Field(default=0.001, ge=0.0, le=0.1)

    def default_secrets(self) -> list[str]:
        """The environment variables of secrets still at their shipped defaults."""
        shipped = {"ami_secret": "hotline-secret", "secret_key": "change-me-in-production"}
        return [f"HOTLINE_{name.upper()}" for name, value in shipped.items() if getattr(self, name) == value]

    @field_validator("ami_port", "agi_port", "http_port")
    @classmethod
    def _port_range(cls, v: int) -> int:
        if not 0 <= v <= 65535:
            raise ValueError("a TCP port must be between 0 and 65535")
        return v

    @field_validator("webrtc_agents")
    @classmethod
    def _agent_list(cls, v: str) -> str:
        parse_agent_list(v)  # an unreadable list fails at start, not at an agent's login
        return v

    @field_validator("webrtc_ws_uri")
    @classmethod
    def _ws_uri(cls, v: str) -> str:
        if v and (not v.startswith(("wss://", "ws://")) or not urlsplit(v).hostname):
            raise ValueError(f"webrtc_ws_uri must look like wss://pbx.example.org:8089/ws, not {v!r}")
        return v

    @field_validator("webrtc_ice_servers")
    @classmethod
    def _ice_urls(cls, v: list[str]) -> list[str]:
        for url in v:
            if not url.startswith(("stun:", "turn:", "turns:")):
                raise ValueError(f"webrtc_ice_servers: {url!r} is not a stun:, turn: or turns: URL")
        return v

    @property
    def webrtc_agent_ids(self) -> frozenset[str]:
        return frozenset(parse_agent_list(self.webrtc_agents))

    @field_validator("data_dir", "recordings_dir", "prompts_dir")
    @classmethod
    def _absolute(cls, v: Path) -> Path:
        # Asterisk plays prompts and writes recordings by absolute path; a relative one
        # would be looked up under Asterisk's own directories.
        return Path(v).expanduser().resolve()

    @field_validator("reports_dir")
    @classmethod
    def _absolute_or_off(cls, v: Path | None) -> Path | None:
        return None if v is None or str(v) == "" else Path(v).expanduser().resolve()

    @property
    def report_files_dir(self) -> Path:
        return self.reports_dir if self.reports_dir is not None else self.data_dir / "reports"

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings, env_settings, _YamlSource(settings_cls), file_secret_settings)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
