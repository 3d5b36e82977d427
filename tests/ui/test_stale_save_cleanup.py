"""A save killed mid-way (power cut, task manager) leaves temp files holding a whole handout;
opening the app with that output folder rolls the save back and removes them."""

from __future__ import annotations

import os

from ..test_output import PAIR_A, PAIR_B, _run_killed_at, folder_state


def test_app_start_rolls_back_a_killed_save_in_the_output_folder(qtbot, tmp_path,
                                                                 sample_clinic, settings_file):
    from dischargedesk import output
    from dischargedesk.ui.main_window import MainWindow
    from dischargedesk.ui.settings import AppSettings

    folder = tmp_path / "handouts"
    folder.mkdir()
    output.write_files_atomic(folder, PAIR_A)
    for step in range(1, 60):  # kill the save at each step until B's instructions sit
        output.clean_folder(folder)  # beside A's plan: the state the issue reproduced
        code = _run_killed_at(folder, step, PAIR_B)
        files = {n: (folder / n).read_bytes() for n in os.listdir(folder)
                 if (folder / n).is_file()}
        if files.get("discharge.pdf") == PAIR_B[0][1] and \
                files.get("recovery.pdf") == PAIR_A[1][1]:
            break
        assert code != 0, "the save finished without ever leaving a mixed pair"
    assert any(n.startswith(".dischargedesk-") for n in os.listdir(folder))
    settings = AppSettings(settings_file)
    settings.output_folder = folder
    win = MainWindow(sample_clinic, settings)
    qtbot.addWidget(win)
    assert folder_state(folder) == "A"  # the old pair back, no temp file left
