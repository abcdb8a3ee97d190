"""The browser understands and applies the portal's Permissions-Policy."""

from django.conf import settings


def test_the_browser_knows_and_denies_every_feature_of_the_policy(
    page, transactional_db, live_server
):
    complaints = []
    page.on(
        "console",
        lambda message: (
            complaints.append(message.text)
            if "Permissions-Policy" in message.text
            else None
        ),
    )
    page.goto(live_server.url + "/")

    # Chromium's own view of the policy in force (an unknown feature would be
    # reported in the console and ignored).
    allowed = page.evaluate("document.featurePolicy.allowedFeatures()")
    assert complaints == []
    assert "camera" not in allowed
    assert set(settings.PERMISSIONS_POLICY).isdisjoint(allowed)
