using Drawbridge.Listening;
using Drawbridge.Web;
using Microsoft.AspNetCore.Mvc;

namespace Drawbridge.Pages.Inbox;

/// <summary>
/// The organisation's insights settings, for its admins only: the framework in use, the models trained (progress while
/// training, cross-validated quality per theme when ready), switching one on, uploading a framework and a labelled
/// file to train a new one, and training again with the staff's corrections.
/// </summary>
[RequestSizeLimit(InsightsTraining.MaxUploadBytes)]
[RequestFormLimits(MultipartBodyLengthLimit = InsightsTraining.MaxUploadBytes)]
public sealed class InsightsModel(OrganisationDesks desks, InsightsTraining insights) : DrawbridgePage
{
    public OrganisationDesk Desk { get; private set; } = null!;
    public FrameworkInUse Framework { get; private set; } = null!;
    public IReadOnlyList<InsightsModelSummary> Models { get; private set; } = [];
    public bool Training => Models.Any(m => m.State is InsightsModelState.Queued or InsightsModelState.Training);
    public string Self => $"/organisations/{Desk.Organisation.Handle}/settings/insights";

    public async Task<IActionResult> OnGetAsync(string handle, CancellationToken ct) => await LoadAsync(handle, ct) ?? Page();

    public async Task<IActionResult> OnPostUploadAsync(string handle, IFormFile? framework, IFormFile? data, CancellationToken ct)
    {
        if (await LoadAsync(handle, ct) is { } refused)
        {
            return refused;
        }
        var outcome = await insights.UploadAsync(Desk, framework?.FileName, await BytesAsync(framework, ct), data?.FileName, await BytesAsync(data, ct), ct);
        if (Refused(outcome) is { } invalid)
        {
            return invalid;
        }
        var model = outcome.Value!;
        Flash(model.DataReadAs is { } readAs
            ? $"Training has started. The labelled file was not UTF-8, so it was read as {readAs} (as Excel saves CSV on Windows): check the comments below look right."
            : "Training has started. The model in use keeps sorting the inbox until you switch the new one on.");
        return LocalRedirect(Self);
    }

    public async Task<IActionResult> OnPostRetrainAsync(string handle, CancellationToken ct)
    {
        if (await LoadAsync(handle, ct) is { } refused)
        {
            return refused;
        }
        if (Refused(await insights.RetrainAsync(Desk, ct)) is { } invalid)
        {
            return invalid;
        }
        Flash("Training again with the staff's corrections.");
        return LocalRedirect(Self);
    }

    public async Task<IActionResult> OnPostActivateAsync(string handle, long modelId, CancellationToken ct)
    {
        if (await LoadAsync(handle, ct) is { } refused)
        {
            return refused;
        }
        var outcome = await insights.ActivateAsync(Desk, modelId, ct);
        if (Refused(outcome) is { } invalid)
        {
            return invalid;
        }
        Flash($"{outcome.Value!.FrameworkName} is switched on: new feedback is sorted by it, and the inbox is being sorted again.");
        return LocalRedirect(Self);
    }

    private async Task<IActionResult?> LoadAsync(string handle, CancellationToken ct)
    {
        var desk = await desks.OpenAsync(Me, handle, false, ct);
        if (Refused(desk) is { } refused)
        {
            return refused;
        }
        Desk = desk.Value!;
        var models = await insights.ModelsAsync(Desk, ct);
        if (Refused(models) is { } notAdmin)
        {
            return notAdmin;
        }
        Models = models.Value!;
        Framework = (await insights.FrameworkAsync(Desk, ct))!;
        return null;
    }

    private static async Task<byte[]?> BytesAsync(IFormFile? file, CancellationToken ct)
    {
        if (file is null)
        {
            return null;
        }
        using var buffer = new MemoryStream();
        await file.CopyToAsync(buffer, ct);
        return buffer.ToArray();
    }
}
