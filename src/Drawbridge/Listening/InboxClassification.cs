using System.Globalization;
using Drawbridge.Data;
using Drawbridge.Insights;
using Drawbridge.Jobs;
using Microsoft.EntityFrameworkCore;

namespace Drawbridge.Listening;

/// <summary>The default framework and labelled comments that ship with the server (Listening/Defaults).</summary>
public static class DefaultInsights
{
    public const string DataFileName = "patient-experience.csv";

    public static string FrameworkJson { get; } = Resource("Drawbridge.Listening.Defaults.framework.json");

    public static byte[] Data { get; } = System.Text.Encoding.UTF8.GetBytes(Resource("Drawbridge.Listening.Defaults.data.csv"));

    public static Framework Framework { get; } = Framework.Parse(FrameworkJson, "the default framework");

    /// <summary>
    /// The model trained from these files that ships with the server, or null when this build's engine cannot read it
    /// (a newer model format): then the server trains the default itself, in the background.
    /// </summary>
    public static byte[]? ShippedModel { get; } = LoadShippedModel();

    private static byte[]? LoadShippedModel()
    {
        using var stream = typeof(DefaultInsights).Assembly.GetManifestResourceStream("Drawbridge.Listening.Defaults.model");
        if (stream is null)
        {
            return null;
        }
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        try
        {
            InsightsModel.Read(new MemoryStream(buffer.ToArray(), writable: false), "the default model").EnsureFramework(Framework);
            return buffer.ToArray();
        }
        catch (InsightsException)
        {
            return null;
        }
    }

    private static string Resource(string name)
    {
        using var stream = typeof(DefaultInsights).Assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"The build lacks the resource {name}");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}

/// <summary>
/// Sorts an organisation's new inbox items into its framework: themes, sentiment, and whether they are critical. Runs
/// in the background (<see cref="InboxClassifyJob"/>), a batch at a time, with the organisation's active model, or the
/// default model when it has none. Items wait (unclassified) while no model is ready, and are classified when one is.
/// A staff correction of an item's themes is kept when a new model classifies it again; sentiment and critical are not corrected.
/// </summary>
public sealed class InboxClassification(DrawbridgeDb db, InsightsEngine engine, JobQueue jobs, Snowflake ids, TimeProvider clock, ILogger<InboxClassification> log)
{
    public const int Batch = 128;

    /// <summary>Stages classification of an organisation's waiting items with the caller's unit of work, unless a job for it is already waiting.</summary>
    public static async Task StageAsync(DrawbridgeDb db, JobQueue jobs, long organisationId, CancellationToken ct)
    {
        var payload = ClassifyInbox.PayloadOf(organisationId);
        // A job not yet claimed will see this item; one already running may not, so then another is staged.
        var waiting = db.Jobs.Local.Any(j => j.Kind == ClassifyInbox.Kind && j.Payload == payload)
            || await db.Jobs.AnyAsync(j => j.Kind == ClassifyInbox.Kind && j.Payload == payload && j.CompletedAt == null && j.FailedAt == null && j.LockedUntil == null, ct);
        if (!waiting)
        {
            jobs.Enqueue(db, new ClassifyInbox(organisationId));
        }
    }

    /// <summary>The model an organisation's items are classified with: its active one, else the default (trained on first need).</summary>
    public async Task<InsightsModelRecord?> ModelForAsync(long organisationId, CancellationToken ct)
    {
        var own = await db.Set<InsightsModelRecord>().AsNoTracking().Where(m => m.OrganisationId == organisationId && m.IsActive)
            .Select(m => new InsightsModelRecord { Id = m.Id, FrameworkJson = m.FrameworkJson, FrameworkName = m.FrameworkName, ActivatedAt = m.ActivatedAt }).FirstOrDefaultAsync(ct);
        return own ?? await DefaultModelAsync(ct);
    }

    /// <summary>The default model when it is ready; otherwise stages its training (once) and returns null.</summary>
    public async Task<InsightsModelRecord?> DefaultModelAsync(CancellationToken ct)
    {
        var framework = DefaultInsights.Framework;
        var defaults = await db.Set<InsightsModelRecord>().AsNoTracking()
            .Where(m => m.OrganisationId == null && m.FrameworkName == framework.Name && m.FrameworkVersion == framework.Version)
            .Select(m => new { m.Id, m.State, m.FrameworkJson, m.FrameworkName }).ToListAsync(ct);
        if (defaults.Where(d => d.State == InsightsModelState.Ready).MaxBy(d => d.Id) is { } ready)
        {
            return new InsightsModelRecord { Id = ready.Id, FrameworkJson = ready.FrameworkJson, FrameworkName = ready.FrameworkName };
        }
        if (!defaults.Any(d => d.State is InsightsModelState.Queued or InsightsModelState.Training))
        {
            var shipped = DefaultInsights.ShippedModel;
            var record = new InsightsModelRecord
            {
                Id = ids.Next(), OrganisationId = null, FrameworkName = framework.Name, FrameworkVersion = framework.Version,
                FrameworkJson = DefaultInsights.FrameworkJson, DataFileName = DefaultInsights.DataFileName, DataFile = DefaultInsights.Data,
                Rows = shipped is null ? 0 : InsightsModel.Read(new MemoryStream(shipped, writable: false)).TrainingRows,
                State = shipped is null ? InsightsModelState.Queued : InsightsModelState.Ready, Model = shipped,
                CreatedAt = clock.GetUtcNow().UtcDateTime, TrainedAt = shipped is null ? null : clock.GetUtcNow().UtcDateTime,
            };
            db.Add(record);
            if (shipped is null)
            {
                jobs.Enqueue(db, new TrainInsightsModel(record.Id));
                log.LogInformation("Training the default insights model {ModelId}: the shipped one is not readable by this build", record.Id);
            }
            await db.SaveChangesAsync(ct);
            if (shipped is not null)
            {
                return new InsightsModelRecord { Id = record.Id, FrameworkJson = record.FrameworkJson, FrameworkName = record.FrameworkName };
            }
        }
        return null;
    }

    /// <summary>
    /// Classifies every item of an organisation that waits for a model or was classified by another model than the one
    /// in use (a model switched on since), except that a staff correction keeps an item from being classified again;
    /// returns how many. Each item records the model that sorted it, so results saved by a model switched off meanwhile
    /// are simply picked up again: when the pass ends with another model in use, it goes round again with that one.
    /// </summary>
    public async Task<int> ClassifyWaitingAsync(long organisationId, CancellationToken ct)
    {
        var classified = 0;
        var switched = false;
        while (true)
        {
            var record = await ModelForAsync(organisationId, ct);
            if (record is null)
            {
                return classified; // the default model is training; its job classifies the waiting items when it is ready
            }
            classified += await ClassifyWithAsync(organisationId, record, switched, ct);
            if ((await ModelForAsync(organisationId, ct))?.Id == record.Id)
            {
                return classified;
            }
            switched = true;
        }
    }

    /// <summary>The items an organisation's <paramref name="modelId"/> has still to sort.</summary>
    public static IQueryable<InboxItem> ToClassify(DrawbridgeDb db, long organisationId, long modelId) =>
        db.Set<InboxItem>().Where(i => i.OrganisationId == organisationId
            && (i.ClassifiedAt == null || (!i.ThemeCorrected && (i.ClassifiedByModelId == null || i.ClassifiedByModelId != modelId))));

    /// <summary>
    /// New items first, oldest first, by the index on (organisation, classified at, id): each batch leaves the set, so an
    /// item committed after a newer one (ids are taken before commit) is never passed over while items keep arriving.
    /// Then, once per model switched on, on this node (or when the model changed during the pass), the items another model
    /// sorted: one scan of the organisation's items for their ids, then batches by id.
    /// </summary>
    private async Task<int> ClassifyWithAsync(long organisationId, InsightsModelRecord record, bool switched, CancellationToken ct)
    {
        var classifier = engine.Classifier(record.Id, () => db.Set<InsightsModelRecord>().AsNoTracking().Where(m => m.Id == record.Id).Select(m => m.Model!).First());
        var themes = classifier.Model.Framework.Themes.ToDictionary(t => t.Id);
        var classified = 0;
        while (true)
        {
            var items = await db.Set<InboxItem>().Where(i => i.OrganisationId == organisationId && i.ClassifiedAt == null)
                .OrderBy(i => i.Id).Take(Batch).ToListAsync(ct);
            if (items.Count == 0)
            {
                break;
            }
            classified += await SortAsync(items, classifier, themes, record.Id, ct);
        }
        if (!switched && engine.HasResorted(organisationId, record.Id, record.ActivatedAt))
        {
            return classified;
        }
        var others = await ToClassify(db, organisationId, record.Id).OrderBy(i => i.Id).Select(i => i.Id).ToListAsync(ct);
        foreach (var chunk in others.Chunk(Batch))
        {
            // Read again: a correction or a newer pass since the scan leaves an item out.
            var items = await ToClassify(db, organisationId, record.Id).Where(i => chunk.Contains(i.Id)).OrderBy(i => i.Id).ToListAsync(ct);
            if (items.Count > 0)
            {
                classified += await SortAsync(items, classifier, themes, record.Id, ct);
            }
        }
        engine.MarkResorted(organisationId, record.Id, record.ActivatedAt);
        return classified;
    }

    private async Task<int> SortAsync(List<InboxItem> items, FeedbackClassifier classifier, Dictionary<string, ThemeDefinition> themes, long modelId, CancellationToken ct)
    {
        // The engine uses every core; the job waits for it off the request path.
        var results = await Task.Run(() => classifier.ClassifyMany(items.Select(i => i.Text).ToList()), ct);
        var now = clock.GetUtcNow().UtcDateTime;
        for (var k = 0; k < items.Count; k++)
        {
            var item = items[k];
            var result = results[k];
            var names = result.Themes.OrderByDescending(t => t.Score).Select(t => t.Name).ToList();
            if (!item.ThemeCorrected)
            {
                item.Theme = names.Count == 0 ? null : Clip(names[0], 100);
                item.Themes = names.Count == 0 ? null : Clip(string.Join("; ", names), 1000);
            }
            item.Sentiment = SentimentName(result.SentimentClass);
            item.Critical = result.Themes.Any(t => themes.TryGetValue(t.Id, out var d) && d.Critical) || CriticalWords.Match(item.Text);
            item.ClassifiedAt = now;
            // No history line: the history is the team's work on an item; ClassifiedAt and the model's id say when and by what.
            item.ClassifiedByModelId = modelId;
        }
        await db.SaveChangesAsync(ct);
        db.ChangeTracker.Clear();
        return items.Count;
    }

    public static string? SentimentName(SentimentClass? sentiment) => sentiment switch
    {
        SentimentClass.Positive => "positive",
        SentimentClass.Negative => "negative",
        SentimentClass.MixedOrNeutral => "neutral",
        _ => null,
    };

    private static string Clip(string s, int max) => s.Length > max ? s[..max] : s;
}

/// <summary>Classification of an organisation's waiting items, on the insights queue (never ahead of inbox intake on default).</summary>
public sealed record ClassifyInbox(long OrganisationId) : IJobPayload<ClassifyInbox>
{
    public static string Kind => "insights-classify";
    public static string Queue => JobQueues.Insights;

    /// <summary>The stored payload, as the staging checks for a waiting job compare it.</summary>
    public static string PayloadOf(long organisationId) => System.Text.Json.JsonSerializer.Serialize(new ClassifyInbox(organisationId), JobQueue.Json);
}

/// <summary>Training of a stored model. It gives way to classification on the insights queue, and trains below normal priority.</summary>
public sealed record TrainInsightsModel(long ModelId) : IJobPayload<TrainInsightsModel>
{
    public static string Kind => "insights-train";
    public static string Queue => JobQueues.Insights;
    public static bool GivesWay => true;
}

/// <summary>Classifies an organisation's waiting items.</summary>
public sealed class InboxClassifyJob(InboxClassification classification) : JobHandler<ClassifyInbox>
{
    protected override Task HandleAsync(DrawbridgeDb db, ClassifyInbox job, CancellationToken ct) =>
        classification.ClassifyWaitingAsync(job.OrganisationId, ct);

    /// <summary>Jobs stored before the payload was a record carry the organisation's id alone.</summary>
    protected override ClassifyInbox? FromUntyped(string payload) =>
        long.TryParse(payload, NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? new ClassifyInbox(id) : base.FromUntyped(payload);
}

/// <summary>
/// Trains a stored model (payload: its id) from its labelled file and, for an organisation's model, the staff's
/// corrections; stores its progress as it goes, then the model and its cross-validated quality. A failure is stored
/// with its reason (training the same files again would fail the same way). The default model, when ready, sets the
/// items of every organisation without a model of its own to be classified.
/// </summary>
public sealed class InsightsTrainJob(InsightsEngine engine, InsightsTraining training, JobQueue jobs, TimeProvider clock, ILogger<InsightsTrainJob> log) : JobHandler<TrainInsightsModel>
{
    /// <summary>Jobs stored before the payload was a record carry the model's id alone.</summary>
    protected override TrainInsightsModel? FromUntyped(string payload) =>
        long.TryParse(payload, NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? new TrainInsightsModel(id) : base.FromUntyped(payload);

    protected override async Task HandleAsync(DrawbridgeDb db, TrainInsightsModel job, CancellationToken ct)
    {
        var id = job.ModelId;
        var record = await db.Set<InsightsModelRecord>().FirstOrDefaultAsync(m => m.Id == id, ct);
        if (record is null || record.State is InsightsModelState.Ready or InsightsModelState.Failed)
        {
            return;
        }
        record.State = InsightsModelState.Training;
        record.Stage = "reading the labelled file";
        await db.SaveChangesAsync(ct);
        var status = new TrainingStatus();
        try
        {
            var framework = Framework.Parse(record.FrameworkJson);
            var rows = await training.TrainingRowsAsync(record, framework, ct);
            record.Rows = rows.Count - rows.Count(r => r.Id.StartsWith(InsightsTraining.CorrectionPrefix, StringComparison.Ordinal));
            record.Corrections = rows.Count - record.Rows;
            var run = record.OrganisationId is null
                ? engine.TrainDefaultAsync(framework, rows, status, ct)
                : engine.TrainAsync(framework, rows, status, ct);
            while (!run.IsCompleted)
            {
                await Task.WhenAny(run, Task.Delay(TimeSpan.FromSeconds(1), clock, ct));
                await db.Set<InsightsModelRecord>().Where(m => m.Id == id).ExecuteUpdateAsync(s => s
                    .SetProperty(m => m.Stage, status.Stage).SetProperty(m => m.Done, status.Done).SetProperty(m => m.Total, status.Total), ct);
            }
            var (model, quality) = await run;
            record.Model = model;
            record.QualityJson = quality.ToJson();
            record.State = InsightsModelState.Ready;
            record.Stage = "ready";
            record.TrainedAt = clock.GetUtcNow().UtcDateTime;
        }
        catch (InsightsException e)
        {
            record.State = InsightsModelState.Failed;
            record.Error = e.Message.Length > 2000 ? e.Message[..2000] : e.Message;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            log.LogError(e, "Training insights model {ModelId} failed", id);
            record.State = InsightsModelState.Failed;
            record.Error = "Training stopped on an unexpected error; the server's log has the details";
        }
        if (record.State == InsightsModelState.Ready && record.OrganisationId is null)
        {
            // Organisations without a model of their own now have one: classify what waited for it, and what an earlier
            // default model sorted.
            var waiting = await db.Set<InboxItem>()
                .Where(i => i.ClassifiedAt == null || (!i.ThemeCorrected && (i.ClassifiedByModelId == null || i.ClassifiedByModelId != id)))
                .Where(i => !db.Set<InsightsModelRecord>().Any(m => m.OrganisationId == i.OrganisationId && m.IsActive))
                .Select(i => i.OrganisationId).Distinct().ToListAsync(ct);
            foreach (var organisationId in waiting)
            {
                jobs.Enqueue(db, new ClassifyInbox(organisationId));
            }
        }
        await db.SaveChangesAsync(ct);
    }
}
