"""Storage settings, from the environment or a `.env` file."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class StorageSettings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    data_dir: Path = Field(default=Path("data"), validation_alias="CHORUS_DATA_DIR")
    database_url: str | None = Field(default=None, validation_alias="CHORUS_DATABASE_URL")

    @property
    def url(self) -> str:
        """The SQLAlchemy URL: `CHORUS_DATABASE_URL`, or a SQLite file in the data directory."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.data_dir / 'chorus.db'}"
