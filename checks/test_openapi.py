"""The served contract is the repository's contract."""

from conftest import REPO


def test_served_openapi_is_the_repository_file(server):
    r = server.get("/openapi.yaml")
    assert r.status_code == 200
    expected = (REPO / "openapi.yaml").read_bytes()
    assert r.content == expected, (
        f"served /openapi.yaml ({len(r.content)} bytes) differs from openapi.yaml ({len(expected)} bytes)"
    )
