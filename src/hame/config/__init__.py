"""Configuration: defaults < ~/.config/hame/config.toml < .hame/config.toml < environment < flags.

    files.py    where the files are, reading and merging them (`load_config`: the two files, for permissions)
    schema.py   what a layer may hold (pydantic; unknown keys are errors naming the file and key)
    layers.py   the layers, merged, with where every value came from (`effective_config`)
    models.py   which model a run uses: a [models.NAME] entry or PROVIDER:NAME, its key, profile and price
    show.py     `hame config`
"""

from __future__ import annotations

from .files import LIST_KEYS, load_config, merge, project_config_path, read_toml, user_config_path
from .layers import Effective, effective_config, flags_from
from .models import ModelChoice, choose_model

__all__ = ["LIST_KEYS", "Effective", "ModelChoice", "choose_model", "effective_config", "flags_from", "load_config",
           "merge", "project_config_path", "read_toml", "user_config_path"]
