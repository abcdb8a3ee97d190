"""A naive nested serializer: the project with its category and licenses."""

from rest_framework import serializers

from bench.plain.models import Category, License, Project


class CategorySerializer(serializers.ModelSerializer):
    class Meta:
        model = Category
        fields = ["name", "slug"]


class LicenseSerializer(serializers.ModelSerializer):
    class Meta:
        model = License
        fields = ["spdx_id", "name"]


class ProjectSerializer(serializers.ModelSerializer):
    category = CategorySerializer()
    licenses = LicenseSerializer(many=True)

    class Meta:
        model = Project
        fields = [
            "slug",
            "name",
            "summary",
            "license_expression",
            "status",
            "repository_url",
            "homepage_url",
            "updated_at",
            "category",
            "licenses",
        ]
