"""What the supervision API reads and writes. The public sees a case's public fields only (never
the text as sent, who sent it or how to reach them); staff handling a case see it whole, and a
reporter's contact only when `services.may_see_contact` says so."""

import datetime as dt
import re

from django.urls import reverse
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework_gis.fields import GeometryField
from rest_framework_gis.serializers import GeoFeatureModelSerializer

from registry.text import fold
from supervision import services
from supervision.models import (
    Case,
    CaseMessage,
    CasePhoto,
    CaseState,
    Category,
    RectificationTask,
    State,
    Station,
)

VILLAGE_CODE = re.compile(r"[0-9]{12}")


class DayField(serializers.DateField):
    """The local day of a moment."""

    def to_representation(self, value):
        if isinstance(value, dt.datetime):
            value = timezone.localdate(value)
        return super().to_representation(value)


# Input ---------------------------------------------------------------------------------------


@extend_schema_field(OpenApiTypes.BINARY)
class PhotoUpload(serializers.FileField):
    """A photo file of a multipart form (binary in the schema, so the docs can send one)."""


class ReportInput(serializers.Serializer):
    """A villager's report, as JSON or as a multipart form (with photos)."""

    client_uuid = serializers.UUIDField(
        help_text=_(
            "A UUID the client makes once per report; sending the form again with it returns "
            "the same receipt."
        )
    )
    category = serializers.SlugRelatedField(
        slug_field="code",
        queryset=Category.objects.filter(active=True),
        help_text=_(
            "A category code, as listed by GET /api/supervision/categories/ (shipped: quality, "
            "money, asset, lease, disclosure, cadre, other)."
        ),
        error_messages={
            "does_not_exist": _(
                "No category has the code “{value}”: GET /api/supervision/categories/ lists them."
            )
        },
    )
    text = serializers.CharField(
        help_text=format_lazy(
            _("What is wrong, {min} to {max} characters."),
            min=services.TEXT_MIN,
            max=services.TEXT_MAX,
        ),
        trim_whitespace=True,
    )
    identity = serializers.ChoiceField(choices=Case.Identity.choices)
    village = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=40,
        help_text=_("The village's 12-digit division code."),
    )
    subject = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=40,
        help_text=_("The electronic ID on the plaque of the asset or project it is about."),
    )
    lon = serializers.FloatField(
        required=False, allow_null=True, default=None, min_value=-180, max_value=180
    )
    lat = serializers.FloatField(
        required=False, allow_null=True, default=None, min_value=-90, max_value=90
    )
    about_cadre = serializers.BooleanField(
        required=False,
        default=False,
        help_text=_(
            "About a station member or village cadre: it goes to the township discipline office."
        ),
    )
    name = serializers.CharField(required=False, allow_blank=True, default="", max_length=60)
    phone = serializers.CharField(required=False, allow_blank=True, default="", max_length=20)
    email = serializers.EmailField(required=False, allow_blank=True, default="")
    photos = serializers.ListField(
        child=PhotoUpload(),
        required=False,
        default=list,
        max_length=services.MAX_PHOTOS,
        help_text=format_lazy(
            _("Up to {n} photos (multipart only); only their pixels are kept."),
            n=services.MAX_PHOTOS,
        ),
        error_messages={"max_length": _("At most {max_length} photos.")},
    )

    # Codes as typed on a Chinese keyboard (full-width digits, dashes) read as ASCII.
    def validate_village(self, value: str) -> str:
        value = fold(value).strip()
        if value and not VILLAGE_CODE.fullmatch(value):
            raise serializers.ValidationError(
                _("A village is named by its 12-digit division code.")
            )
        return value

    def validate_subject(self, value: str) -> str:
        return fold(value).strip()

    def validate(self, attrs):
        if (attrs["lon"] is None) != (attrs["lat"] is None):
            missing = "lat" if attrs["lat"] is None else "lon"
            raise serializers.ValidationError({missing: [_("Give both lon and lat, or neither.")]})
        return attrs


class ReceiptInput(serializers.Serializer):
    receipt = serializers.CharField(
        max_length=200, help_text=_("The receipt code shown when the report was sent.")
    )


class MoveInput(serializers.Serializer):
    to = serializers.ChoiceField(choices=State.choices)
    reason = serializers.CharField(required=False, allow_blank=True, default="")
    rectify_who = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=200
    )
    rectify_by = serializers.DateField(required=False, allow_null=True, default=None)
    outcome = serializers.CharField(required=False, allow_blank=True, default="")


# Output for the public -----------------------------------------------------------------------


class PublicCaseSerializer(serializers.ModelSerializer):
    """A case as anyone may see it."""

    reference = serializers.CharField(read_only=True)
    category = serializers.SlugRelatedField(slug_field="code", read_only=True)
    category_name = serializers.CharField(source="category.__str__", read_only=True)
    village = serializers.SlugRelatedField(slug_field="code", read_only=True)
    village_name = serializers.CharField(source="village.name", read_only=True)
    state_label = serializers.CharField(source="get_state_display", read_only=True)
    created = DayField(read_only=True)

    class Meta:
        model = Case
        fields = (
            "reference",
            "category",
            "category_name",
            "village",
            "village_name",
            "subject_code",
            "state",
            "state_label",
            "due_on",
            "created",
        )


class SubmittedSerializer(serializers.Serializer):
    receipt = serializers.CharField(
        help_text=_("Shown once: the only way to follow an anonymous report.")
    )
    case = PublicCaseSerializer()


class HistorySerializer(serializers.ModelSerializer):
    label = serializers.CharField(source="get_state_display")
    on = DayField(source="at", read_only=True)

    class Meta:
        model = CaseState
        fields = ("state", "label", "on", "reason", "by_reporter")


class ReporterMessageSerializer(serializers.ModelSerializer):
    on = DayField(source="created", read_only=True)

    class Meta:
        model = CaseMessage
        fields = ("kind", "text", "on")


class ReceiptStatusSerializer(PublicCaseSerializer):
    """What a receipt code shows its holder: where the case stands and how it got there."""

    history = HistorySerializer(source="states", many=True, read_only=True)
    messages = ReporterMessageSerializer(many=True, read_only=True)
    may_reopen = serializers.SerializerMethodField()

    class Meta(PublicCaseSerializer.Meta):
        fields = (
            *PublicCaseSerializer.Meta.fields,
            "rectify_by",
            "outcome",
            "history",
            "messages",
            "may_reopen",
        )

    def get_may_reopen(self, case: Case) -> bool:
        return bool(services.next_states(case, by_reporter=True))


# The schema of the feature's geometry is that of `Case.location` (a Point).
@extend_schema_field(OpenApiTypes.OBJECT)
class PublicPlaceField(GeometryField):
    pass


class PublicCaseFeatureSerializer(GeoFeatureModelSerializer):
    """A case on the public map. Its point is the place of the record the report is about, or
    a point inside its village: a place the reporter picked is not published (it may be their
    home). The published text and outcome have ID-card and mobile numbers hidden."""

    reference = serializers.CharField(read_only=True)
    category = serializers.SlugRelatedField(slug_field="code", read_only=True)
    village = serializers.SlugRelatedField(slug_field="code", read_only=True)
    created = DayField(read_only=True)
    public_text = serializers.SerializerMethodField()
    outcome = serializers.SerializerMethodField()
    location = PublicPlaceField(source="public_place", read_only=True)

    class Meta:
        model = Case
        geo_field = "location"
        id_field = False
        fields = (
            "reference",
            "category",
            "village",
            "subject_code",
            "state",
            "due_on",
            "public_text",
            "outcome",
            "created",
        )

    def get_public_text(self, case: Case) -> str:
        return services.published(case.public_text)

    def get_outcome(self, case: Case) -> str:
        return services.published(case.outcome)


class CategorySerializer(serializers.ModelSerializer):
    name = serializers.SerializerMethodField()

    class Meta:
        model = Category
        fields = ("code", "name", "days_allowed", "working_days", "to_township")

    def get_name(self, category: Category) -> str:
        return str(category)


class StationSerializer(serializers.ModelSerializer):
    village = serializers.SlugRelatedField(slug_field="code", read_only=True)
    village_name = serializers.CharField(source="village.name", read_only=True)

    class Meta:
        model = Station
        fields = ("id", "name", "village", "village_name", "office_phone", "place", "office_hours")


# Output for staff ----------------------------------------------------------------------------


class PhotoSerializer(serializers.ModelSerializer):
    """A case's photo, served to those handling the case (the field app's photo URLs)."""

    image = serializers.SerializerMethodField()
    thumbnail = serializers.SerializerMethodField()

    class Meta:
        model = CasePhoto
        fields = ("id", "purpose", "image", "thumbnail", "distance_m", "published", "created")

    def _url(self, name: str, photo: CasePhoto) -> str:
        url = reverse(name, args=[photo.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request is not None else url

    def get_image(self, photo: CasePhoto) -> str:
        return self._url("supervision:field-case-photo", photo)

    def get_thumbnail(self, photo: CasePhoto) -> str:
        return self._url("supervision:field-case-thumb", photo)


class StaffHistorySerializer(serializers.ModelSerializer):
    label = serializers.CharField(source="get_state_display")
    by = serializers.SerializerMethodField()

    class Meta:
        model = CaseState
        fields = ("state", "label", "at", "by", "by_reporter", "reason")

    def get_by(self, state: CaseState) -> str:
        if state.actor is None:
            return str(_("the reporter")) if state.by_reporter else str(_("system"))
        return state.actor.first_name or state.actor.get_username()


class MessageSerializer(serializers.ModelSerializer):
    class Meta:
        model = CaseMessage
        fields = ("kind", "text", "created")


class TaskSerializer(serializers.ModelSerializer):
    class Meta:
        model = RectificationTask
        fields = ("text", "who", "due_on", "done_on", "evidence")


class ContactSerializer(serializers.Serializer):
    name = serializers.CharField()
    phone = serializers.CharField()
    email = serializers.CharField()


class CaseSerializer(PublicCaseSerializer):
    """A case as those handling it see it."""

    id = serializers.IntegerField(read_only=True)
    late = serializers.SerializerMethodField(
        help_text=_("How many times over its allowed time an open case is (0: in time).")
    )
    next_states = serializers.SerializerMethodField()
    photos = PhotoSerializer(many=True, read_only=True)
    history = StaffHistorySerializer(source="states", many=True, read_only=True)
    messages = MessageSerializer(many=True, read_only=True)
    tasks = TaskSerializer(many=True, read_only=True)
    contact = serializers.SerializerMethodField()
    location = serializers.SerializerMethodField()

    class Meta(PublicCaseSerializer.Meta):
        fields = (
            "id",
            *PublicCaseSerializer.Meta.fields,
            "source",
            "identity",
            "route",
            "escalated",
            "late",
            "next_states",
            "subject_name",
            "location",
            "text",
            "about_cadre",
            "rectify_who",
            "rectify_by",
            "public_text",
            "outcome",
            "closed_at",
            "photos",
            "history",
            "messages",
            "tasks",
            "contact",
        )

    def get_late(self, case: Case) -> int:
        return services.lateness(case)

    @extend_schema_field(serializers.ListField(child=serializers.ChoiceField(State.choices)))
    def get_next_states(self, case: Case) -> list[str]:
        return [str(state) for state in services.next_states(case)]

    @extend_schema_field(ContactSerializer(allow_null=True))
    def get_contact(self, case: Case) -> dict | None:
        """Only for those who may see it (`services.may_see_contact`)."""
        request = self.context.get("request")
        contact = getattr(case, "contact", None)
        if contact is None or request is None:
            return None
        if not services.may_see_contact(request.user, case):
            return None
        return ContactSerializer(contact).data

    @extend_schema_field(
        serializers.ListField(child=serializers.FloatField(), min_length=2, max_length=2)
    )
    def get_location(self, case: Case) -> list[float] | None:
        """[lon, lat] in WGS84, or null."""
        if case.location is None:
            return None
        return [case.location.x, case.location.y]
