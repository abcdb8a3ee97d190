"""The one API router: every app's viewsets under /api/v1/.

Only this module and the root URL map know every app (DESIGN.md).
"""

from rest_framework.routers import DefaultRouter

from licenses.api import ExpressionViewSet, LicenseViewSet
from portal.philosophy_api import SectionViewSet, StatementViewSet
from projects.api import ConversionViewSet, LicensingViewSet, ProjectViewSet

router = DefaultRouter()
router.register("sections", SectionViewSet, basename="section")
router.register("statements", StatementViewSet, basename="statement")
router.register("licenses", LicenseViewSet, basename="license")
router.register("projects", ProjectViewSet, basename="project")
router.register("conversions", ConversionViewSet, basename="conversion")
router.register("expressions", ExpressionViewSet, basename="expression")
router.register("licensing", LicensingViewSet, basename="licensing")
