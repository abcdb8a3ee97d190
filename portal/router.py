"""The one API router: every app's viewsets under /api/v1/.

Only this module and the root URL map know every app (DESIGN.md).
"""

from rest_framework.routers import DefaultRouter

from licenses.api import LicenseViewSet
from portal.api import SectionViewSet, StatementViewSet
from projects.api import ProjectViewSet

router = DefaultRouter()
router.register("sections", SectionViewSet, basename="section")
router.register("statements", StatementViewSet, basename="statement")
router.register("licenses", LicenseViewSet, basename="license")
router.register("projects", ProjectViewSet, basename="project")
