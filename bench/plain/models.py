"""The portal's catalogue tables read as a plain project would model them:
unmanaged models with the columns its pages show, nothing more."""

from django.db import models


class Category(models.Model):
    name = models.CharField(max_length=100)
    slug = models.SlugField(max_length=100)

    class Meta:
        managed = False
        db_table = "projects_category"

    def __str__(self):
        return self.name


class License(models.Model):
    spdx_id = models.CharField(max_length=100)
    name = models.CharField(max_length=200)

    class Meta:
        managed = False
        db_table = "licenses_license"

    def __str__(self):
        return self.spdx_id


class Project(models.Model):
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=100)
    summary = models.CharField(max_length=300)
    license_expression = models.CharField(max_length=500)
    status = models.CharField(max_length=16)
    repository_url = models.URLField()
    homepage_url = models.URLField()
    featured = models.BooleanField()
    position = models.PositiveIntegerField()
    state = models.CharField(max_length=16)
    publish_at = models.DateTimeField(null=True)
    unpublish_at = models.DateTimeField(null=True)
    updated_at = models.DateTimeField()
    category = models.ForeignKey(Category, models.DO_NOTHING, null=True)
    # The portal's own join table: projects_project_licenses.
    licenses = models.ManyToManyField(License)

    class Meta:
        managed = False
        db_table = "projects_project"
        ordering = ["-featured", "position", "name"]

    def __str__(self):
        return self.name
