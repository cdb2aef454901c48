"""The pytest plugin works in a project of its own, and `inv verify` reports each proof."""

import json
import subprocess
import sys
import xml.etree.ElementTree as ET

from labrunner.paths import ROOT

pytest_plugins = ["pytester"]


def test_the_plugin_gives_an_emulator_and_fresh_sandboxes(pytester):
    pytester.makepyfile("""
        def test_sandbox(lab_sandbox, emulator):
            lab, checker, learner = lab_sandbox("s3-multipart-upload")
            learner.s3.create_bucket(Bucket=learner.names.bucket)
            assert [b["Name"] for b in checker.s3.list_buckets()["Buckets"]] == [learner.names.bucket]
            _, other, _ = lab_sandbox("s3-multipart-upload")
            assert other.s3.list_buckets()["Buckets"] == []
    """)
    result = pytester.runpytest_subprocess("--backend", "moto")  # loaded through its pytest11 entry point
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["labrunner backend: moto"])


def test_verify_writes_json_and_junit_reports(tmp_path):
    json_file, junit_file = tmp_path / "out.json", tmp_path / "out.xml"
    result = subprocess.run([sys.executable, "-m", "invoke", "verify", "--lab", "s3-multipart-upload",
                             "--json", str(json_file), "--junit", str(junit_file)],
                            cwd=ROOT, capture_output=True, text=True, timeout=600,
                            env={"PATH": f"{sys.prefix}/bin:/usr/bin:/bin", "LABS_STATE_DIR": str(tmp_path)})
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 of 1 labs proven on moto" in result.stdout
    report = json.loads(json_file.read_text())
    (lab,) = report["labs"]
    names = [p["name"] for p in lab["proofs"]]
    assert names[:3] == ["fresh sandbox fails", "reference passes", "reference applied 2x passes"]
    assert "one PutObject" in names and lab["ok"]
    cases = ET.parse(junit_file).getroot().findall("testcase")
    assert len(cases) == len(names)


def test_verify_lists_labs_a_backend_cannot_grade_instead_of_failing_them(tmp_path):
    """On ministack X-Ray is not served: that lab is "not available", with the matrix's reason, not broken."""
    from labrunner.backends.ministack import ministack_python

    ministack_python(install=True)
    json_file, junit_file = tmp_path / "out.json", tmp_path / "out.xml"
    result = subprocess.run([sys.executable, "-m", "invoke", "verify", "--backend", "ministack",
                             "--lab", "xray-tracing", "--lab", "s3-put-object",
                             "--json", str(json_file), "--junit", str(junit_file)],
                            cwd=ROOT, capture_output=True, text=True, timeout=600,
                            env={"PATH": f"{sys.prefix}/bin:/usr/bin:/bin", "LABS_STATE_DIR": str(tmp_path)})
    assert result.returncode == 0, result.stdout + result.stderr
    output = " ".join(result.stdout.split())
    assert "xray-tracing is not available on ministack: needs the xray service" in output
    assert "1 of 1 labs proven on ministack; 1 not available there." in output
    statuses = {lab["id"]: lab["status"] for lab in json.loads(json_file.read_text())["labs"]}
    assert statuses == {"xray-tracing": "unavailable", "s3-put-object": "proven"}
    suite = ET.parse(junit_file).getroot()
    assert suite.get("failures") == "0" and suite.get("skipped") == "1"
    skipped = [c.get("classname") for c in suite.findall("testcase") if c.find("skipped") is not None]
    assert skipped == ["xray-tracing"]
