"""Forms that read numbers, dates and amounts as Chinese keyboards type them."""

from django import forms

from registry.text import fold, fold_number

NUMBER_FIELDS = (forms.IntegerField, forms.DecimalField, forms.FloatField)
FOLDED_FIELDS = (forms.DateField, forms.DateTimeField, forms.TimeField, forms.UUIDField)


class TypedInputMixin:
    """Before validation, the values of number, amount, date and time fields are folded
    (`registry.text`): full-width digits and punctuation, the ideographic space and every
    dash read as ASCII; numbers also lose thousands separators and a trailing 元. Text
    fields are left exactly as typed. Mix into any Form or ModelForm."""

    def full_clean(self):
        if self.is_bound and hasattr(self.data, "copy"):
            self.data = self._folded(self.data.copy())
        super().full_clean()

    def _folded(self, data):
        for name, field in self.fields.items():
            if isinstance(field, NUMBER_FIELDS):
                fold_value = fold_number
            elif isinstance(field, FOLDED_FIELDS):
                fold_value = fold
            else:
                continue
            key = self.add_prefix(name)
            if hasattr(data, "getlist"):
                values = data.getlist(key)
                if values:
                    data.setlist(key, [fold_value(v) if isinstance(v, str) else v for v in values])
            elif isinstance(data.get(key), str):
                data[key] = fold_value(data[key])
        return data


class TypedInputForm(TypedInputMixin, forms.Form):
    pass


class TypedInputModelForm(TypedInputMixin, forms.ModelForm):
    pass
