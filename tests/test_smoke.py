def test_every_door_answers(client, api_client, make_project, make_license):
    make_license("MIT")
    project = make_project("Snuba")
    for url in [
        "/",
        "/licenses/",
        "/licenses/MIT/",
        "/projects/",
        f"/projects/{project.slug}/",
    ]:
        assert client.get(url).status_code == 200, url
    for url in ["/api/v1/projects/", "/api/v1/licenses/", "/api/v1/projects/snuba/"]:
        assert api_client.get(url).status_code == 200, url
