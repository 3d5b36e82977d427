"""Start-up pins ReportLab's security settings, whatever RL_* variables or files say."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from dischargedesk.rlsafety import PINNED

SCRIPT = """
import json, datetime as dt
from reportlab import rl_config
before = {k: getattr(rl_config, k) for k in KEYS}
from dischargedesk.clinic.profile import load_sample_clinic
from dischargedesk.domain.request import HandoutRequest
from dischargedesk.engine import render_pdf
req = HandoutRequest.from_mapping({"procedure": "kyphoplasty", "levels": ["L1"],
    "patient_name": "A B", "mrn": "1"}, today=dt.date(2026, 11, 25))
render_pdf(req, load_sample_clinic())
after = {k: getattr(rl_config, k) for k in KEYS}
print(json.dumps({"before": before, "after": after}))
""".replace("KEYS", repr(list(PINNED)))


def test_hostile_environment_and_settings_file_are_overridden(tmp_path):
    (tmp_path / "reportlab_settings.py").write_text(
        "trustedHosts = ['*']\ntrustedSchemes = ['file', 'http']\n"
        "toColorCanUse = 'rl_safe_eval'\n")
    env = dict(os.environ, RL_toColorCanUse="rl_safe_eval", RL_trustedHosts="*",
               RL_trustedSchemes="file,http,https", RL_invariant="0",
               PYTHONPATH=str(tmp_path) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    result = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True,
                            env=env, cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-2000:]
    data = json.loads(result.stdout.strip().splitlines()[-1])
    assert data["before"]["toColorCanUse"] == "rl_safe_eval"  # the attack was live...
    assert data["after"] == {k: v for k, v in PINNED.items()}  # ...and is pinned away
