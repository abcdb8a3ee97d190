"""schema.org data of the project pages, for search engines (JSON-LD).

A project page describes a ``SoftwareSourceCode``: its name, summary, repository,
languages and licenses. A license is named by the address of its text (the SPDX
list's page for an SPDX id), or else by the portal's page about it.
"""

from collections.abc import Callable


def software_source_code(
    project, *, licenses: list[dict], languages: list[str], absolute: Callable
) -> dict:
    """The project as schema.org data: ``licenses`` its public licenses (dicts
    of ``url`` and ``text_url``, as ``projects.models.project_relations()``
    gives them), ``languages`` its languages' names; ``absolute(path)`` turns
    the portal's own addresses into absolute ones."""
    data = {
        "@context": "https://schema.org",
        "@type": "SoftwareSourceCode",
        "name": project.name,
        "description": project.summary,
        "url": absolute(project.get_absolute_url()),
        "dateModified": project.updated_at.isoformat(),
    }
    if project.repository_url:
        data["codeRepository"] = project.repository_url
    addresses = [
        license_["text_url"] or absolute(license_["url"]) for license_ in licenses
    ]
    if len(addresses) == 1:
        data["license"] = addresses[0]
    elif addresses:
        data["license"] = addresses
    else:
        data["license"] = project.license_expression
    if languages:
        data["programmingLanguage"] = list(languages)
    return data
