"""The demo content: Sentry's open-source page rebuilt from the portal's own records.

The page (``shared/seed/open-source-page.txt``) is quoted as the organisation's
content, with its attributions. Public facts (licenses, relicensing dates, one
release) come from ``shared/seed/FACTS.md``. Everything else the demo needs was
written for it: each such entry carries a ``# sample data`` comment, so nobody takes
it for a statement of the organisation.

Positions are not written here: the loader numbers sections, statements, licenses,
categories and projects in the order of these lists, which is the page's order.
"""

# The page's typography (curly quotes, dashes) is kept as published.
# ruff: noqa: RUF001

import datetime

from licenses.models import Family
from portal.models import Statement
from projects.models import Project

PARAGRAPH = Statement.Kind.PARAGRAPH
GOAL = Statement.Kind.GOAL
QUOTE = Statement.Kind.QUOTE
FAQ = Statement.Kind.FAQ
COMPARISON = Statement.Kind.COMPARISON

SITE_SETTINGS = {
    "organisation_name": "Sentry",
    "tagline": "Yes, We’re Open (Source)",
    "footer": "© 2021 • Sentry is a registered Trademark of Functional Software, Inc.",
    # sample data: the seed text lost the address after "reach out to us at".
    "contact_email": "licensing@sentry.io",
    "blog_url": "https://blog.sentry.io/",
    # sample data: a brand in the spirit of the organisation's, drawn for the demo.
    "logo": "/static/portal/brand/demo-logo.svg",
    "hero_image": "/static/portal/brand/demo-hero.svg",
    "accent_color": "#6c5fc7",
}

SECTIONS = [
    {
        "slug": "what-does-open-source-mean",
        "title": "What does Open Source actually mean?",
        "statements": [
            {
                "kind": PARAGRAPH,
                "body": (
                    "It’s a frequent debate that boils down to a set of "
                    "characteristics of software development, contribution, and "
                    "distribution, as well as the supporting community."
                ),
            },
            {
                "kind": PARAGRAPH,
                "body": (
                    'By definition, the term "open source" refers to something '
                    "people can modify and share because its design is publicly "
                    "accessible. In other words, software for which the original "
                    "source code is made freely available and may be redistributed "
                    "and modified."
                ),
            },
            {
                "kind": PARAGRAPH,
                "body": (
                    "Although open source originally defined a specific approach to "
                    "programming, it also covers the principles of open exchange, "
                    "collaborative participation, rapid prototyping, transparency, "
                    "meritocracy, and community-oriented development."
                ),
            },
            {
                "kind": QUOTE,
                "body": (
                    "We pride ourselves on delivering a unified, free, open-source "
                    "service, where our cloud offering has the same functionality as "
                    "our open-source offering. This stands in contrast to other "
                    "open-source companies, who offer a reduced “open core” feature "
                    "set that moves critical features into a paid, closed-source "
                    "version of the software."
                ),
                "attribution_name": "David Cramer",
                "attribution_role": "Founder & CTO",
            },
        ],
    },
    {
        "slug": "philosophy",
        "title": "Sentry's Open Source Philosophy",
        "intro": "We have the following goals regarding our products and services:",
        "statements": [
            {
                "kind": GOAL,
                "body": (
                    "Anyone should be able to run Sentry for themselves or their "
                    "business"
                ),
            },
            {
                "kind": GOAL,
                "body": (
                    "There should be no differences between our cloud service and "
                    "our open-source product (no open-core model)"
                ),
            },
            {
                "kind": GOAL,
                "body": (
                    "There should be minimal limitations on usage of code; should be "
                    "as free as possible"
                ),
            },
            {
                "kind": GOAL,
                "body": (
                    "There should be protections from other companies selling our "
                    "work without giving back"
                ),
            },
            {
                "kind": PARAGRAPH,
                "body": (
                    "This last bullet point – protection from other companies "
                    "selling our work – may sound controversial but we found it to be "
                    "necessary to ensure Sentry as a company can survive and keep "
                    "working on Sentry the product."
                ),
            },
            {
                "kind": PARAGRAPH,
                "body": (
                    "All these lead us to use a somewhat extraordinary license, the "
                    "Business Source License, which we best describe as eventually "
                    "open source. Although this license is not among the "
                    "OSI-approved licenses and does not fit the strict OSI "
                    "definition of open source, it gives you all the freedom "
                    "provided that you are not offering a commercial version of "
                    "Sentry. Even more, it removes this one limitation after a "
                    "36-month grace period, turning into a bare Apache-2.0 license "
                    "eventually. You can read more about our license and the whys "
                    "behind it [on our blog](/blog/)."
                ),
            },
        ],
    },
    {
        "slug": "licenses",
        # sample data: the seed page has no heading here; this one was written for
        # the demo. The intro is the page's own sentence.
        "title": "The licenses we use",
        "shows_licenses": True,
        "intro": (
            "Since we strive to keep everything as open and free as possible, we are "
            "only using the more restrictive BSL-1.1 license on the Sentry backend "
            "code."
            # The seed's "Here are the 3 licenses we use:" is the heading of the
            # list of licenses in use, counted from the records.
        ),
        "statements": [
            {
                "kind": PARAGRAPH,
                "title": "Business Source License 1.1 (BSL-1.1)",
                # "reach out to us" leads to the contact address of the site
                # settings; the projects under BUSL-1.1 are listed with the
                # license, from the records, after these statements.
                "body": (
                    "All components powering the main Sentry backend use BSL-1.1 "
                    "license which limits their usage in a commercial Sentry-like "
                    "offering. If you need to use some of this code without the BSL "
                    "license or want to commercialize Sentry, "
                    "[reach out to us](/contact/). All the projects covered under "
                    "our [BSL-1.1 license](/licenses/BUSL-1.1/) are listed below."
                ),
            },
            {
                "kind": PARAGRAPH,
                "title": "Apache License, Version 2.0 (Apache-2.0)",
                "body": (
                    "Sentry's default license of choice is the permissive but "
                    "protective Apache-2.0 license. This license is OSI-approved, "
                    "widely adopted, and still has some safe-guards like attribution "
                    "requirement or patents protection. Any new projects are "
                    "licensed under Apache-2.0 unless there's a concern around "
                    "GPL-2.0 compatibility for adoption."
                ),
            },
            {
                "kind": PARAGRAPH,
                "title": "The MIT License (MIT)",
                "body": (
                    "We use the MIT license as a fallback for the Apache-2.0 license "
                    "where we need to reach to a wider audience, due to the GPL-2.0 "
                    "incompatibility. This is the license we use for all our SDKs."
                ),
            },
        ],
    },
    {
        "slug": "faq",
        # sample data: the seed page has no heading over its questions; this one
        # was written for the demo.
        "title": "Frequently asked questions",
        "statements": [
            {
                "kind": FAQ,
                "title": "Why not Open Core? Isn't that the same thing?",
                "body": (
                    "No, not at all. The two are vastly different. According to "
                    "Ashesh Badani of Red Hat in “Open Source or Open Core: Why "
                    "Should You Care?”:"
                ),
            },
            {
                "kind": QUOTE,
                "body": (
                    "The open core development model, where vendors open only "
                    "portions of their software and then surround the remainder with "
                    "proprietary-by-vendor offerings, simply does not work. It is a "
                    "narrowly-cast version of open source that only stands as a "
                    "matter of corporate convenience for technology providers who "
                    "continue to hold on to antiquated proprietary offerings, "
                    "delivering minimal innovation."
                ),
                "attribution_name": "Ashesh Badani",
                "attribution_role": (
                    "Red Hat, in “Open Source or Open Core: Why Should You Care?”"
                ),
            },
            {
                "kind": PARAGRAPH,
                # The seed reads "open core ≠is not the same": a sign and its
                # alternative text run together; the words are kept.
                "body": (
                    "So no, open core is not the same as open source. It’s "
                    "essentially a marketing strategy for proprietary software."
                ),
            },
            {
                "kind": FAQ,
                "title": "Why are we an Open Source company?",
                "body": (
                    "People sometimes ask why Sentry is an open source company. "
                    "However, they are typically asking about our business model: "
                    "conversion funnel, product roadmap, monetization strategy. In "
                    "our experience as engineers and as professionals, there is no "
                    "other choice but open source for building a viable software "
                    "company serving modern development cycles.\n\n"
                    "As a mantra, Sentry is an open source company because the right "
                    "to learn and to share what is learned with others is "
                    "fundamental to product growth and relevance."
                ),
            },
        ],
    },
    {
        "slug": "open-vs-proprietary",
        # sample data: the seed page has no heading over its comparisons; this one
        # was written for the demo.
        "title": "Open source vs. proprietary",
        "statements": [
            {
                "kind": COMPARISON,
                # sample data: both titles (lost in the seed text).
                "title": "Adaptable",
                "body": (
                    "Open source code can be updated locally by any developer and "
                    "changed often (even replaced as needs shift). It’s pliable to "
                    "each user’s specific objectives and use case, and any "
                    "modifications can be made available to the entire community."
                ),
                "contrast_title": "Vendor Lock-In",
                "contrast_body": (
                    "When a user is dependant on a vendor, making changes typically "
                    "carries substantial costs, which are passed on to the customer. "
                    "Infrastructure or architecture complexity also usually "
                    "contribute to high switching costs (and high service costs)."
                ),
            },
            {
                "kind": COMPARISON,
                "title": "More Secure",
                "body": (
                    "Software that’s viewable by everyone out in the open inherently "
                    "contains incentives to find and address security and other "
                    "vulnerabilities more quickly. Compliance isn’t beholden to the "
                    "vendor’s ability to hire dedicated engineers."
                ),
                "contrast_title": "Security through obscurity",
                "contrast_body": (
                    "Security through obscurity often hides issues. If a product is "
                    "closed from public view, those outside the company have little "
                    "idea how many bugs or security issues it may contain. "
                    "Additionally, compliance reviews are very difficult and "
                    "expensive."
                ),
            },
            {
                "kind": COMPARISON,
                # sample data: both titles (lost in the seed text).
                "title": "Interoperable",
                "body": (
                    "Being able to share and communicate data between systems and "
                    "services is essential to long-term use and user outcomes. "
                    "Openness to integrations is a basic tenet of modern software "
                    "and key to the user experience."
                ),
                "contrast_title": "Restricted Use",
                "contrast_body": (
                    "Restrictions on the use of proprietary software are spelled out "
                    "in an end user license agreement, typically prohibiting "
                    "modifications to enable use with certain other technologies "
                    "(or those upgrades are only available for a fee)."
                ),
            },
            {
                "kind": COMPARISON,
                # sample data: both titles (lost in the seed text).
                "title": "Community Driven",
                "body": (
                    "Open source software is “free like a kitten,” requiring care "
                    "and support from an active community. A common point of "
                    "reference — the code — is a starting point for users to "
                    "coalesce and determine direction and growth."
                ),
                "contrast_title": "Fragmented Users",
                "contrast_body": (
                    "When companies restrict certain functionality or features to a "
                    "paid version of their software, there is little opportunity to "
                    "build a community, since groups of users have different "
                    "experiences dictated by the vendor."
                ),
            },
            {
                "kind": COMPARISON,
                "title": "Platform Extensible",
                "body": (
                    "There are few barriers to modifying open source packages for "
                    "different contexts, such as libraries or SDKs for your framework "
                    "of choice. Open source even makes it easier to find community "
                    "partners to work on projects that benefit everyone."
                ),
                "contrast_title": "Narrowly Focused",
                "contrast_body": (
                    "Getting modifications made to accommodate your application or "
                    "systems usually depends on a vendor’s existing roadmap (or your "
                    "ability to pay). Proprietary software rarely has flexibility to "
                    "support emerging (or legacy) needs."
                ),
            },
            {
                "kind": COMPARISON,
                # sample data: the open side's title (lost in the seed text).
                "title": "Learn by Using",
                "body": (
                    "Open source is not just a try-before-you-buy sales model. It "
                    "encourages users to learn by using the software at scale and "
                    "lower their own barriers to widespread adoption. It also helps "
                    "with staff retention and onboarding new team members."
                ),
                "contrast_title": "High Friction",
                "contrast_body": (
                    "Most vendor-specific software (even open-core and SaaS) not "
                    "only requires payment prior to implementation, but it also "
                    "limits the access users have to learning before adoption, often "
                    "requiring expensive training, certification, and integration."
                ),
            },
        ],
    },
]

# Names and flags as on the SPDX list; how the organisation uses each license and the
# conversion terms of the source-available ones (change license, change period,
# cap), from the page and FACTS.md. A change license is listed before its users.
LICENSES = [
    {
        "spdx_id": "Apache-2.0",
        "is_default": True,
        "permissions": [
            "commercial-use",
            "modifications",
            "distribution",
            "patent-use",
            "private-use",
        ],
        "conditions": ["include-copyright", "document-changes"],
        "limitations": ["trademark-use", "liability", "warranty"],
        "name": "Apache License 2.0",
        "family": Family.PERMISSIVE,
        "osi_approved": True,
        "fsf_libre": True,
        "summary": (
            "The default for new projects: permissive but protective, OSI-approved, "
            "widely adopted, with safe-guards like the attribution requirement and "
            "patent protection. New projects use it unless GPL-2.0 compatibility "
            "matters for their adoption. It is also the license that BUSL-1.1 and "
            "FSL-1.1-ALv2 code turns into."
        ),
    },
    {
        "spdx_id": "MIT",
        "permissions": [
            "commercial-use",
            "modifications",
            "distribution",
            "private-use",
        ],
        "conditions": ["include-copyright"],
        "limitations": ["liability", "warranty"],
        "name": "MIT License",
        "family": Family.PERMISSIVE,
        "osi_approved": True,
        "fsf_libre": True,
        "summary": (
            "The fallback for Apache-2.0 where the code must reach a wider audience "
            "and GPL-2.0 compatibility matters. All SDKs use it."
        ),
    },
    {
        # FSL-1.0 has no SPDX id: the organisation's own LicenseRef names it.
        "spdx_id": "LicenseRef-FSL-1.0-ALv2",
        "name": "Functional Source License, Version 1.0, ALv2 Future License",
        "family": Family.SOURCE_AVAILABLE,
        "osi_approved": False,
        "fsf_libre": False,
        "permissions": [
            "commercial-use",
            "modifications",
            "distribution",
            "patent-use",
            "private-use",
        ],
        "conditions": ["include-copyright", "no-competing-use"],
        "limitations": ["trademark-use", "liability", "warranty"],
        "change_license": "Apache-2.0",
        "change_period_months": 24,
        "text_url": "https://fsl.software/",
        "summary": (
            "The license sentry, relay and self-hosted moved to on 2023-11-17, with "
            "Apache-2.0 as future license: each release becomes Apache-2.0 on the "
            "second anniversary of its publication. It predates the SPDX list's FSL "
            "ids, so the portal names it with a LicenseRef."
        ),
    },
    {
        "spdx_id": "FSL-1.1-ALv2",
        "permissions": [
            "commercial-use",
            "modifications",
            "distribution",
            "patent-use",
            "private-use",
        ],
        "conditions": ["include-copyright", "no-competing-use"],
        "limitations": ["trademark-use", "liability", "warranty"],
        "name": "Functional Source License, Version 1.1, ALv2 Future License",
        "family": Family.SOURCE_AVAILABLE,
        "osi_approved": False,
        "fsf_libre": False,
        "change_license": "Apache-2.0",
        "change_period_months": 24,
        "summary": (
            "The license of snuba since 2024-02-27. Any use except a competing "
            "commercial offering is allowed, and each release becomes Apache-2.0 on "
            "the second anniversary of its publication."
        ),
    },
    {
        "spdx_id": "FSL-1.1-MIT",
        "permissions": [
            "commercial-use",
            "modifications",
            "distribution",
            "patent-use",
            "private-use",
        ],
        "conditions": ["include-copyright", "no-competing-use"],
        "limitations": ["trademark-use", "liability", "warranty"],
        "name": "Functional Source License, Version 1.1, MIT Future License",
        "family": Family.SOURCE_AVAILABLE,
        "osi_approved": False,
        "fsf_libre": False,
        "change_license": "MIT",
        "change_period_months": 24,
        "summary": (
            "Like FSL-1.1-ALv2, with MIT as the future license: symbolicator uses it "
            "since 2025-11-21. Each release becomes MIT on the second anniversary of "
            "its publication."
        ),
    },
    {
        "spdx_id": "BUSL-1.1",
        "permissions": [
            "commercial-use",
            "modifications",
            "distribution",
            "private-use",
        ],
        "conditions": ["include-copyright", "no-competing-use"],
        "limitations": ["trademark-use", "liability", "warranty"],
        "name": "Business Source License 1.1",
        "family": Family.SOURCE_AVAILABLE,
        "osi_approved": False,
        "fsf_libre": False,
        # The text fixes the cap only; the change license and date are the
        # licensor's, in each project's terms (BUSL_TERMS below).
        "change_cap_months": 48,
        "summary": (
            "The license of the Sentry backend from 2019-11-06 until the move to "
            "FSL in 2023 (snuba in 2024). Licensor: Functional Software, Inc.; "
            "Additional Use Grant: any use except providing an “Application "
            "Monitoring Service”; Change License: Apache-2.0, on the release date "
            "plus 36 months (e.g. snuba 23.11.0, released 2023-11-15, on "
            "2026-11-15), and by the license text no later than the fourth "
            "anniversary of each version's first public distribution."
        ),
    },
    {
        "spdx_id": "BSD-3-Clause",
        "permissions": [
            "commercial-use",
            "modifications",
            "distribution",
            "private-use",
        ],
        "conditions": ["include-copyright"],
        "limitations": ["liability", "warranty"],
        "name": 'BSD 3-Clause "New" or "Revised" License',
        "family": Family.PERMISSIVE,
        "osi_approved": True,
        "fsf_libre": True,
        "summary": (
            "The license of the Sentry backend's code before 2019-11-01, which "
            "stays under it after the relicensing to BUSL-1.1."
        ),
    },
]

CATEGORIES = [
    {"slug": "backend", "name": "Backend"},
    {"slug": "self-hosting", "name": "Self-hosting"},
    {"slug": "integrations", "name": "Integrations"},
    {"slug": "documentation", "name": "Documentation"},
    {"slug": "sdk", "name": "SDK"},
]

LANGUAGES = [
    {"slug": "python", "name": "Python"},
    {"slug": "rust", "name": "Rust"},
    {"slug": "typescript", "name": "TypeScript"},
    {"slug": "javascript", "name": "JavaScript"},
    {"slug": "shell", "name": "Shell"},
]

GITHUB = "https://github.com/getsentry/"

# Repositories and license history are facts (FACTS.md); the summaries, lifecycle
# statuses and the choice of featured projects were written for the demo.
PROJECTS = [
    {
        "slug": "sentry",
        "name": "Sentry",
        # sample data
        "summary": "Error tracking and performance monitoring: the Sentry backend.",
        "description": (
            "Relicensed from BSD-3-Clause to BUSL-1.1 on 2019-11-06 (code before "
            "2019-11-01 stays BSD-3-Clause); moved to the Functional Source License "
            "with Apache-2.0 as future license on 2023-11-17."
        ),
        "repository_url": GITHUB + "sentry",
        "homepage_url": "https://sentry.io/",
        "docs_url": "https://docs.sentry.io/",
        "license_expression": "LicenseRef-FSL-1.0-ALv2",
        "category": "backend",
        "languages": ["python", "typescript"],
        "featured": True,  # sample data
    },
    {
        "slug": "relay",
        "name": "Relay",
        # sample data
        "summary": "The service that receives and processes events for Sentry.",
        "description": (
            "Relicensed to BUSL-1.1 on 2019-11-06; moved to the Functional Source "
            "License with Apache-2.0 as future license on 2023-11-17."
        ),
        "repository_url": GITHUB + "relay",
        "license_expression": "LicenseRef-FSL-1.0-ALv2",
        "category": "backend",
        "languages": ["rust"],
        "featured": True,  # sample data
    },
    {
        "slug": "snuba",
        "name": "Snuba",
        # sample data
        "summary": "Search and aggregation of Sentry's event data on ClickHouse.",
        "description": (
            "Relicensed to BUSL-1.1 on 2019-11-06, with a Change Date of release "
            "date + 36 months rewritten at every release (23.11.0, released "
            "2023-11-15, becomes Apache-2.0 on 2026-11-15); moved to FSL-1.1 on "
            "2024-02-27."
        ),
        "repository_url": GITHUB + "snuba",
        "license_expression": "FSL-1.1-ALv2",
        "category": "backend",
        "languages": ["python"],
    },
    {
        "slug": "self-hosted",
        "name": "Self-Hosted Sentry",
        # sample data
        "summary": "Run Sentry on your own infrastructure.",
        "description": (
            "Formerly named onpremise. Relicensed to BUSL-1.1 on 2019-11-06; moved "
            "to the Functional Source License with Apache-2.0 as future license on "
            "2023-11-17."
        ),
        "repository_url": GITHUB + "self-hosted",
        "license_expression": "LicenseRef-FSL-1.0-ALv2",
        "category": "self-hosting",
        "languages": ["shell"],
        "featured": True,  # sample data
    },
    {
        "slug": "sentry-plugins",
        "name": "Sentry Plugins",
        # sample data
        "summary": "Integrations of Sentry with third-party services.",
        "description": "Relicensed to BUSL-1.1 on 2019-11-06.",
        "repository_url": GITHUB + "sentry-plugins",
        # FACTS.md records no later license than BUSL-1.1 for this repository.
        "license_expression": "BUSL-1.1",
        "category": "integrations",
        "languages": ["python"],
        "status": Project.Status.MAINTENANCE,  # sample data
    },
    {
        "slug": "docker-sentry",
        "name": "Docker Sentry",
        # sample data
        "summary": "A Docker image of Sentry.",
        "description": "Relicensed to BUSL-1.1 on 2019-11-06.",
        "repository_url": GITHUB + "docker-sentry",
        # FACTS.md records no later license than BUSL-1.1 for this repository.
        "license_expression": "BUSL-1.1",
        "category": "self-hosting",
        "languages": ["shell"],
        "status": Project.Status.DEPRECATED,  # sample data
    },
    {
        "slug": "sentry-docs",
        "name": "Sentry Docs",
        # sample data
        "summary": "The documentation of Sentry and its SDKs.",
        "description": "Relicensed to BUSL-1.1 on 2019-11-06.",
        "repository_url": GITHUB + "sentry-docs",
        "homepage_url": "https://docs.sentry.io/",
        # FACTS.md records no later license than BUSL-1.1 for this repository.
        "license_expression": "BUSL-1.1",
        "category": "documentation",
        "languages": ["typescript"],
    },
    {
        "slug": "symbolicator",
        "name": "Symbolicator",
        # sample data
        "summary": "Symbolication of native stack traces and minidumps.",
        "description": "MIT from 2019; FSL-1.1-MIT from 2025-11-21.",
        "repository_url": GITHUB + "symbolicator",
        "license_expression": "FSL-1.1-MIT",
        "category": "backend",
        "languages": ["rust"],
    },
    # The page says all SDKs are MIT; the two SDKs below stand for them.
    {
        "slug": "sentry-python",
        "name": "Sentry SDK for Python",
        # sample data
        "summary": "The official Sentry SDK for Python.",
        "description": "",
        "repository_url": GITHUB + "sentry-python",
        "license_expression": "MIT",
        "category": "sdk",
        "languages": ["python"],
    },
    {
        "slug": "sentry-javascript",
        "name": "Sentry SDKs for JavaScript",
        # sample data
        "summary": "The official Sentry SDKs for browsers and Node.js.",
        "description": "",
        "repository_url": GITHUB + "sentry-javascript",
        "license_expression": "MIT",
        "category": "sdk",
        "languages": ["typescript", "javascript"],
    },
    # sample data: an invented project, not the organisation's, whose licensor
    # chose another change license than Apache-2.0 (MPL-2.0, four years after
    # each release, as Terraform's terms read).
    {
        "slug": "sample-edge-proxy",
        "name": "Edge Proxy (sample)",
        "summary": "Sample data: a source-available project that turns into MPL-2.0.",
        "description": (
            "Sample data, not a project of the organisation: it shows Business "
            "Source License terms whose change license is MPL-2.0, four years "
            "after each release."
        ),
        "repository_url": "",
        "license_expression": "BUSL-1.1",
        "category": "backend",
        "languages": ["rust"],
    },
]

RELEASES = [
    # Fact (FACTS.md): released under BUSL-1.1, Change Date 2026-11-15.
    {
        "project": "snuba",
        "version": "23.11.0",
        "released_on": datetime.date(2023, 11, 15),
        "license_expression": "BUSL-1.1",
    },
    # sample data: the releases below illustrate each license period of their
    # project; versions and dates are not the organisation's records.
    {
        "project": "snuba",
        "version": "24.3.0",
        "released_on": datetime.date(2024, 3, 15),
        "license_expression": "FSL-1.1-ALv2",
    },  # sample data
    {
        "project": "sentry",
        "version": "9.1.2",
        "released_on": datetime.date(2019, 7, 2),
        "license_expression": "BSD-3-Clause",
    },  # sample data
    {
        "project": "sentry",
        "version": "23.11.0",
        "released_on": datetime.date(2023, 11, 15),
        "license_expression": "BUSL-1.1",
    },  # sample data
    {
        "project": "sentry",
        "version": "25.1.0",
        "released_on": datetime.date(2025, 1, 15),
        "license_expression": "LicenseRef-FSL-1.0-ALv2",
    },  # sample data
    {
        "project": "relay",
        "version": "23.11.0",
        "released_on": datetime.date(2023, 11, 15),
        "license_expression": "BUSL-1.1",
    },  # sample data
    {
        "project": "symbolicator",
        "version": "25.10.0",
        "released_on": datetime.date(2025, 10, 15),
        "license_expression": "MIT",
    },  # sample data
    {
        "project": "symbolicator",
        "version": "25.12.0",
        "released_on": datetime.date(2025, 12, 15),
        "license_expression": "FSL-1.1-MIT",
    },  # sample data
    {
        "project": "sample-edge-proxy",
        "version": "1.0.0",
        "released_on": datetime.date(2024, 6, 3),
        "license_expression": "BUSL-1.1",
    },  # sample data
    {
        "project": "sentry-python",
        "version": "2.0.0",
        "released_on": datetime.date(2024, 4, 25),
        "license_expression": "MIT",
    },  # sample data
]

# The BUSL-1.1 parameters as used by the relicensed repositories (FACTS.md).
BUSL_PARAMETERS = {
    "licensor": "Functional Software, Inc.",
    "licensed_work": "Sentry",
    "additional_use_grant": (
        "Any use, except providing an “Application Monitoring Service”."
    ),
}
# The terms of each relicensed repository's BUSL-1.1 grant: its parameters, and
# the change license and date of snuba 23.11.0 (FACTS.md: 2026-11-15, three years
# after its release) taken for every release of that period.
BUSL_TERMS = {
    **BUSL_PARAMETERS,
    "change_license": "Apache-2.0",
    "change_after_months": 36,
}
BUSL_PROJECTS = [
    "sentry",
    "relay",
    "snuba",
    "self-hosted",
    "sentry-plugins",
    "docker-sentry",
    "sentry-docs",
]

# License history (FACTS.md): None is "from the project's beginning".
RELICENSING = "Relicensing Sentry; code before 2019-11-01 stays BSD-3-Clause"
LICENSE_HISTORY = {
    "sentry": [
        (None, "BSD-3-Clause", ""),
        (datetime.date(2019, 11, 6), "BUSL-1.1", RELICENSING),
        (datetime.date(2023, 11, 17), "LicenseRef-FSL-1.0-ALv2", "Moved to FSL"),
    ],
    "relay": [
        (None, "BSD-3-Clause", ""),
        (datetime.date(2019, 11, 6), "BUSL-1.1", RELICENSING),
        (datetime.date(2023, 11, 17), "LicenseRef-FSL-1.0-ALv2", "Moved to FSL"),
    ],
    "self-hosted": [
        (None, "BSD-3-Clause", "Then named onpremise"),
        (datetime.date(2019, 11, 6), "BUSL-1.1", RELICENSING),
        (datetime.date(2023, 11, 17), "LicenseRef-FSL-1.0-ALv2", "Moved to FSL"),
    ],
    "snuba": [
        (None, "BSD-3-Clause", ""),
        (datetime.date(2019, 11, 6), "BUSL-1.1", RELICENSING),
        (datetime.date(2024, 2, 27), "FSL-1.1-ALv2", "Moved to FSL-1.1"),
    ],
    "sentry-plugins": [
        (None, "BSD-3-Clause", ""),
        (datetime.date(2019, 11, 6), "BUSL-1.1", RELICENSING),
    ],
    "docker-sentry": [
        (None, "BSD-3-Clause", ""),
        (datetime.date(2019, 11, 6), "BUSL-1.1", RELICENSING),
    ],
    "sentry-docs": [
        (None, "BSD-3-Clause", ""),
        (datetime.date(2019, 11, 6), "BUSL-1.1", RELICENSING),
    ],
    # sample data
    "sample-edge-proxy": [
        (
            None,
            "BUSL-1.1",
            "Sample data",
            {
                "licensor": "Example Licensor (sample data)",
                "licensed_work": "Edge Proxy",
                "additional_use_grant": "",
                "change_license": "MPL-2.0",
                "change_after_months": 48,
            },
        ),
    ],
    "symbolicator": [
        (None, "MIT", "MIT from 2019"),
        (datetime.date(2025, 11, 21), "FSL-1.1-MIT", "Moved to FSL-1.1-MIT"),
    ],
}
