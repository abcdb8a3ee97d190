"""schema.org data of the project pages, for search engines (JSON-LD).

A project page describes a ``SoftwareSourceCode``: its name, summary, repository,
languages and licenses. A license is named by the address of its text (the SPDX
list's page for an SPDX id), or else by the portal's page about it.
"""

from collections.abc import Callable


def software_source_code(project, *, absolute: Callable[[str], str]) -> dict:
    """The project as schema.org data. Uses only what
    ``ProjectQuerySet.for_listing()`` prefetches; ``absolute(path)`` turns the
    portal's own addresses into absolute ones."""
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
    licenses = [
        license_.text_url or absolute(license_.get_absolute_url())
        for license_ in project.public_licenses
    ]
    if len(licenses) == 1:
        data["license"] = licenses[0]
    elif licenses:
        data["license"] = licenses
    else:
        data["license"] = project.license_expression
    languages = [language.name for language in project.languages.all()]
    if languages:
        data["programmingLanguage"] = languages
    return data
