"""docs/workflows.md is generated from the workflow tables: the committed file must be up to date."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from ssc.admission.workflow import ADMISSION
from ssc.workflow.management.commands.workflow_docs import DEFAULT_OUTPUT, render


def test_committed_docs_are_up_to_date():
    assert DEFAULT_OUTPUT.exists(), "run: python manage.py workflow_docs"
    assert DEFAULT_OUTPUT.read_text(encoding="utf-8") == render(), (
        "docs/workflows.md is out of date: run `python manage.py workflow_docs` and commit it"
    )


def test_docs_carry_every_action_state_and_the_diagram():
    text = render()
    for t in ADMISSION.transitions:
        assert f"`{t.action}`" in text
    for state in ADMISSION.states:
        assert f"| `{state}` |" in text
    assert "```mermaid\nstateDiagram-v2" in text
    assert "system_opening_requested --> active: open_accounts" in text
    assert "`center_open_accounts`" in text and "5 working days" in text
    assert "银行申请人（一级支行）" in text  # role labels in Chinese, whatever the active language


def test_check_option(tmp_path):
    out = tmp_path / "workflows.md"
    with pytest.raises(CommandError):
        call_command("workflow_docs", "--check", "--output", str(out), stdout=StringIO())
    call_command("workflow_docs", "--output", str(out), stdout=StringIO())
    call_command("workflow_docs", "--check", "--output", str(out), stdout=StringIO())
    assert out.read_text(encoding="utf-8") == render()
