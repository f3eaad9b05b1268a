using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Html;

namespace Drawbridge.Web;

/// <summary>
/// NHS.UK frontend form components (error summary, text input, textarea, character count, radios, checkbox),
/// written out with every value encoded. Field names are the same camelCase keys the services use for errors,
/// so an error always lands beside its field and the summary links to it.
/// </summary>
public static class NhsForm
{
    private static readonly HtmlEncoder Encoder = HtmlEncoder.Default;

    private static string E(string? s) => Encoder.Encode(s ?? "");

    public sealed record Option(string Value, string Label, string? Hint = null);

    public static IHtmlContent ErrorSummary(FormErrors errors)
    {
        if (!errors.Any)
        {
            return HtmlString.Empty;
        }
        var b = new StringBuilder();
        b.Append("<div class=\"nhsuk-error-summary\" data-module=\"nhsuk-error-summary\" tabindex=\"-1\"><div role=\"alert\">")
            .Append("<h2 class=\"nhsuk-error-summary__heading\">There is a problem</h2><div class=\"nhsuk-error-summary__body\">")
            .Append("<ul class=\"nhsuk-list nhsuk-error-summary__list\">");
        foreach (var (field, message) in errors.Items.DistinctBy(i => (i.Field, i.Message)))
        {
            b.Append(field.Length == 0
                ? $"<li>{E(message)}</li>"
                : $"<li><a href=\"#{E(field)}\">{E(message)}</a></li>");
        }
        b.Append("</ul></div></div></div>");
        return new HtmlString(b.ToString());
    }

    private static void Open(StringBuilder b, FormErrors errors, string name, string? extraClass = null, string? attributes = null) =>
        b.Append("<div class=\"nhsuk-form-group").Append(errors.Has(name) ? " nhsuk-form-group--error" : "")
            .Append(extraClass is null ? "" : " " + extraClass).Append('"').Append(attributes ?? "").Append('>');

    private static void LabelHintError(StringBuilder b, FormErrors errors, string name, string label, string? hint, string labelClass = "")
    {
        b.Append($"<label class=\"nhsuk-label{(labelClass.Length > 0 ? " " + labelClass : "")}\" for=\"{E(name)}\">{E(label)}</label>");
        if (hint is not null)
        {
            b.Append($"<div class=\"nhsuk-hint\" id=\"{E(name)}-hint\">{E(hint)}</div>");
        }
        ErrorMessages(b, errors, name);
    }

    private static void ErrorMessages(StringBuilder b, FormErrors errors, string name)
    {
        var messages = errors.For(name);
        if (messages.Count > 0)
        {
            b.Append($"<span class=\"nhsuk-error-message\" id=\"{E(name)}-error\">");
            foreach (var m in messages.Distinct())
            {
                b.Append("<span class=\"nhsuk-u-visually-hidden\">Error: </span>").Append(E(m)).Append("<br>");
            }
            b.Length -= 4;
            b.Append("</span>");
        }
    }

    private static string DescribedBy(FormErrors errors, string name, string? hint, string? more = null)
    {
        var ids = new List<string>();
        if (more is not null)
        {
            ids.Add(more);
        }
        if (hint is not null)
        {
            ids.Add(name + "-hint");
        }
        if (errors.Has(name))
        {
            ids.Add(name + "-error");
        }
        return ids.Count == 0 ? "" : $" aria-describedby=\"{E(string.Join(' ', ids))}\"";
    }

    public static IHtmlContent Input(FormErrors errors, string name, string label, string? value, string? hint = null, string type = "text",
        string? autocomplete = null, string? widthClass = null, string labelClass = "", bool spellcheck = true)
    {
        var b = new StringBuilder();
        Open(b, errors, name);
        LabelHintError(b, errors, name, label, hint, labelClass);
        var classes = "nhsuk-input" + (widthClass is null ? "" : " " + widthClass) + (errors.Has(name) ? " nhsuk-input--error" : "");
        b.Append($"<input class=\"{classes}\" id=\"{E(name)}\" name=\"{E(name)}\" type=\"{E(type)}\"");
        if (type != "password" && type != "file")
        {
            b.Append($" value=\"{E(value)}\"");
        }
        if (autocomplete is not null)
        {
            b.Append($" autocomplete=\"{E(autocomplete)}\"");
        }
        if (!spellcheck)
        {
            b.Append(" spellcheck=\"false\"");
        }
        b.Append(DescribedBy(errors, name, hint)).Append("></div>");
        return new HtmlString(b.ToString());
    }

    public static IHtmlContent Textarea(FormErrors errors, string name, string label, string? value, string? hint = null, int rows = 5, string labelClass = "")
    {
        var b = new StringBuilder();
        Open(b, errors, name);
        LabelHintError(b, errors, name, label, hint, labelClass);
        b.Append($"<textarea class=\"nhsuk-textarea{(errors.Has(name) ? " nhsuk-textarea--error" : "")}\" id=\"{E(name)}\" name=\"{E(name)}\" rows=\"{rows}\"")
            .Append(DescribedBy(errors, name, hint)).Append('>').Append(E(value)).Append("</textarea></div>");
        return new HtmlString(b.ToString());
    }

    /// <summary>A textarea with the NHS.UK live character count (it works without JavaScript as a plain textarea with a hint).</summary>
    public static IHtmlContent CharacterCount(FormErrors errors, string name, string label, string? value, int maxLength, string? hint = null, int rows = 5, string labelClass = "")
    {
        var b = new StringBuilder();
        Open(b, errors, name, "nhsuk-character-count", $" data-module=\"nhsuk-character-count\" data-maxlength=\"{maxLength}\"");
        LabelHintError(b, errors, name, label, hint, labelClass);
        b.Append($"<textarea class=\"nhsuk-textarea nhsuk-js-character-count{(errors.Has(name) ? " nhsuk-textarea--error" : "")}\" id=\"{E(name)}\" name=\"{E(name)}\" rows=\"{rows}\"")
            .Append(DescribedBy(errors, name, hint, name + "-info")).Append('>').Append(E(value)).Append("</textarea>")
            .Append($"<div class=\"nhsuk-hint nhsuk-character-count__message\" id=\"{E(name)}-info\">You can enter up to {maxLength:N0} characters</div></div>");
        return new HtmlString(b.ToString());
    }

    public static IHtmlContent Radios(FormErrors errors, string name, string legend, IEnumerable<Option> options, string? selected, string? hint = null, bool inline = false, bool small = false)
    {
        var b = new StringBuilder();
        Open(b, errors, name);
        b.Append("<fieldset class=\"nhsuk-fieldset\"").Append(DescribedBy(errors, name, hint)).Append('>')
            .Append($"<legend class=\"nhsuk-fieldset__legend nhsuk-fieldset__legend--s\">{E(legend)}</legend>");
        if (hint is not null)
        {
            b.Append($"<div class=\"nhsuk-hint\" id=\"{E(name)}-hint\">{E(hint)}</div>");
        }
        ErrorMessages(b, errors, name);
        b.Append("<div class=\"nhsuk-radios").Append(inline ? " nhsuk-radios--inline" : "").Append(small ? " nhsuk-radios--small" : "").Append("\" data-module=\"nhsuk-radios\">");
        var i = 0;
        foreach (var o in options)
        {
            var id = i++ == 0 ? name : $"{name}-{i}";
            b.Append("<div class=\"nhsuk-radios__item\">")
                .Append($"<input class=\"nhsuk-radios__input\" id=\"{E(id)}\" name=\"{E(name)}\" type=\"radio\" value=\"{E(o.Value)}\"")
                .Append(string.Equals(o.Value, selected, StringComparison.OrdinalIgnoreCase) ? " checked" : "")
                .Append(o.Hint is null ? "" : $" aria-describedby=\"{E(id)}-item-hint\"").Append('>')
                .Append($"<label class=\"nhsuk-label nhsuk-radios__label\" for=\"{E(id)}\">{E(o.Label)}</label>");
            if (o.Hint is not null)
            {
                b.Append($"<div class=\"nhsuk-hint nhsuk-radios__hint\" id=\"{E(id)}-item-hint\">{E(o.Hint)}</div>");
            }
            b.Append("</div>");
        }
        b.Append("</div></fieldset></div>");
        return new HtmlString(b.ToString());
    }

    public static IHtmlContent Checkbox(FormErrors errors, string name, string label, bool isChecked, string? hint = null, string value = "true")
    {
        var b = new StringBuilder();
        Open(b, errors, name);
        ErrorMessages(b, errors, name);
        b.Append("<div class=\"nhsuk-checkboxes nhsuk-checkboxes--small\" data-module=\"nhsuk-checkboxes\"><div class=\"nhsuk-checkboxes__item\">")
            .Append($"<input class=\"nhsuk-checkboxes__input\" id=\"{E(name)}\" name=\"{E(name)}\" type=\"checkbox\" value=\"{E(value)}\"")
            .Append(isChecked ? " checked" : "").Append(DescribedBy(errors, name, hint)).Append('>')
            .Append($"<label class=\"nhsuk-label nhsuk-checkboxes__label\" for=\"{E(name)}\">{E(label)}</label>");
        if (hint is not null)
        {
            b.Append($"<div class=\"nhsuk-hint nhsuk-checkboxes__hint\" id=\"{E(name)}-hint\">{E(hint)}</div>");
        }
        b.Append("</div></div></div>");
        return new HtmlString(b.ToString());
    }
}
