using System.Globalization;
using Drawbridge.Data;
using Drawbridge.Insights;
using Drawbridge.Jobs;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;

namespace Drawbridge.Listening;

/// <summary>A model as the settings page lists it: everything but the files and the model's bytes.</summary>
public sealed record InsightsModelSummary(
    long Id, string FrameworkName, string FrameworkVersion, string DataFileName, string? DataReadAs, int Rows, int Corrections,
    InsightsModelState State, string? Stage, int Done, int Total, string? Error, ModelQuality? Quality, bool IsActive,
    DateTime CreatedAt, DateTime? TrainedAt, DateTime? ActivatedAt)
{
    public int Percent => Total <= 0 ? 0 : Math.Clamp(Done * 100 / Total, 0, 100);
}

/// <summary>A theme staff may choose when they correct an item.</summary>
public sealed record ThemeChoice(string Id, string Name, bool Critical);

/// <summary>The framework an organisation's items are sorted by now, and whether it is the default.</summary>
public sealed record FrameworkInUse(long ModelId, string Name, string Version, bool IsDefault, IReadOnlyList<ThemeChoice> Themes);

/// <summary>What an emerging-topics page shows: the comments looked at, and the topics found among those no theme claimed.</summary>
public sealed record TopicsView(int Comments, int Uncovered, DateTime Since, IReadOnlyList<EmergingTopic> Topics, string FrameworkName);

/// <summary>
/// An organisation's own model, in Settings: admins upload a framework and a labelled file (checked at once, trained in
/// the background), see its progress and cross-validated quality, and switch it on; the model before keeps classifying
/// until then. Staff correct an item's themes, and the corrections join the next model's training data. Emerging
/// topics show what the framework misses.
/// </summary>
public sealed class InsightsTraining(DrawbridgeDb db, InsightsEngine engine, InboxClassification classification, JobQueue jobs, Snowflake ids,
    TimeProvider clock, IMemoryCache cache)
{
    public const int MaxFrameworkBytes = 256 * 1024;
    public const int MaxDataBytes = 20 * 1024 * 1024;
    /// <summary>What an upload request may carry in all: both files and the form's own bytes.</summary>
    public const long MaxUploadBytes = MaxDataBytes + MaxFrameworkBytes + 64 * 1024;
    public const string CorrectionPrefix = "correction:";
    public const int TopicItems = 1000;

    public async Task<Outcome<InsightsModelSummary>> UploadAsync(OrganisationDesk desk, string? frameworkName, byte[]? framework, string? dataName, byte[]? data, CancellationToken ct)
    {
        if (!desk.IsAdmin)
        {
            return Outcome<InsightsModelSummary>.Forbidden("Only the organisation's admins can train its model");
        }
        var errors = new ErrorBag();
        if (framework is null || framework.Length == 0)
        {
            errors.Add("framework", framework is null ? "Choose a framework file (JSON)" : "The framework file is empty");
        }
        else if (framework.Length > MaxFrameworkBytes)
        {
            errors.Add("framework", $"The framework file must be smaller than {MaxFrameworkBytes / 1024} KB");
        }
        if (data is null || data.Length == 0)
        {
            errors.Add("data", data is null ? "Choose a labelled file (CSV)" : "The labelled file is empty");
        }
        else if (data.Length > MaxDataBytes)
        {
            errors.Add("data", $"The labelled file must be smaller than {MaxDataBytes / (1024 * 1024)} MB");
        }
        if (errors.Any)
        {
            return errors.ToOutcome<InsightsModelSummary>();
        }
        Framework parsed;
        try
        {
            parsed = Framework.Parse(Utf8(framework!), "the framework file");
        }
        catch (Exception e) when (e is InsightsException or System.Text.DecoderFallbackException)
        {
            return Outcome<InsightsModelSummary>.Invalid("framework", Sentence(e.Message));
        }
        var fileName = CleanFileName(dataName, "labelled.csv");
        FeedbackData read;
        try
        {
            read = FeedbackCsv.ReadLabelled(data!, parsed, fileName);
        }
        catch (InsightsException e)
        {
            return Outcome<InsightsModelSummary>.Invalid("data", Sentence(e.Message) + " (the framework file names the columns the labelled file must have)");
        }
        if (read.MissingContext.Count > 0)
        {
            return Outcome<InsightsModelSummary>.Invalid("data", $"The labelled file has no column '{read.MissingContext[0]}', which the framework names as context");
        }
        if (read.Rows.Count == 0)
        {
            return Outcome<InsightsModelSummary>.Invalid("data", "The labelled file has no comments in its text column '" + parsed.TextColumn + "'");
        }
        var counts = new int[parsed.Themes.Count];
        foreach (var t in read.Rows.SelectMany(r => r.Themes))
        {
            counts[t]++;
        }
        var minimum = new TrainingOptions().MinExamples;
        if (counts.All(c => c < minimum))
        {
            return Outcome<InsightsModelSummary>.Invalid("data", $"No theme has the {minimum} labelled examples training needs: the file's labels do not match the framework's themes");
        }
        var record = new InsightsModelRecord
        {
            Id = ids.Next(), OrganisationId = desk.Organisation.Id, FrameworkName = Clip(parsed.Name, 200), FrameworkVersion = Clip(parsed.Version, 50),
            FrameworkJson = parsed.ToJson(), DataFileName = fileName, DataFile = data!, DataReadAs = read.ReadAs, Rows = read.Rows.Count,
            State = InsightsModelState.Queued, Stage = "waiting to start", CreatedById = desk.StaffId, CreatedAt = Now,
        };
        db.Add(record);
        jobs.Enqueue(db, new TrainInsightsModel(record.Id));
        await db.SaveChangesAsync(ct);
        return Outcome<InsightsModelSummary>.Ok(Summary(record));
    }

    /// <summary>Trains again from the latest model's files, with the corrections staff have made since.</summary>
    public async Task<Outcome<InsightsModelSummary>> RetrainAsync(OrganisationDesk desk, CancellationToken ct)
    {
        if (!desk.IsAdmin)
        {
            return Outcome<InsightsModelSummary>.Forbidden("Only the organisation's admins can train its model");
        }
        var latest = await db.Set<InsightsModelRecord>().AsNoTracking()
            .Where(m => m.OrganisationId == desk.Organisation.Id && m.State == InsightsModelState.Ready)
            .OrderByDescending(m => m.IsActive).ThenByDescending(m => m.Id).FirstOrDefaultAsync(ct);
        if (latest is null)
        {
            return Outcome<InsightsModelSummary>.Invalid("", "There is no trained model to train again: upload a framework and a labelled file first");
        }
        var record = new InsightsModelRecord
        {
            Id = ids.Next(), OrganisationId = desk.Organisation.Id, FrameworkName = latest.FrameworkName, FrameworkVersion = latest.FrameworkVersion,
            FrameworkJson = latest.FrameworkJson, DataFileName = latest.DataFileName, DataFile = latest.DataFile, DataReadAs = latest.DataReadAs,
            Rows = latest.Rows, State = InsightsModelState.Queued, Stage = "waiting to start", CreatedById = desk.StaffId, CreatedAt = Now,
        };
        db.Add(record);
        jobs.Enqueue(db, new TrainInsightsModel(record.Id));
        await db.SaveChangesAsync(ct);
        return Outcome<InsightsModelSummary>.Ok(Summary(record));
    }

    public async Task<Outcome<IReadOnlyList<InsightsModelSummary>>> ModelsAsync(OrganisationDesk desk, CancellationToken ct)
    {
        if (!desk.IsAdmin)
        {
            return Outcome<IReadOnlyList<InsightsModelSummary>>.Forbidden("Only the organisation's admins can see its models");
        }
        var models = await Summaries().Where(m => m.OrganisationId == desk.Organisation.Id).OrderByDescending(m => m.Id).Take(20).ToListAsync(ct);
        return Outcome<IReadOnlyList<InsightsModelSummary>>.Ok(models.Select(Summary).ToList());
    }

    public async Task<Outcome<InsightsModelSummary>> ModelAsync(OrganisationDesk desk, long modelId, CancellationToken ct)
    {
        if (!desk.IsAdmin)
        {
            return Outcome<InsightsModelSummary>.Forbidden("Only the organisation's admins can see its models");
        }
        var model = await Summaries().FirstOrDefaultAsync(m => m.Id == modelId && m.OrganisationId == desk.Organisation.Id, ct);
        return model is null ? Outcome<InsightsModelSummary>.NotFound("No such model for this organisation") : Outcome<InsightsModelSummary>.Ok(Summary(model));
    }

    /// <summary>
    /// Switches a ready model on. The classifier is loaded first, so the switch itself is one small transaction; items
    /// not corrected by staff are then classified again with it, in the background. Until then they keep the themes they had.
    /// </summary>
    public async Task<Outcome<InsightsModelSummary>> ActivateAsync(OrganisationDesk desk, long modelId, CancellationToken ct)
    {
        if (!desk.IsAdmin)
        {
            return Outcome<InsightsModelSummary>.Forbidden("Only the organisation's admins can switch a model on");
        }
        var model = await Summaries().FirstOrDefaultAsync(m => m.Id == modelId && m.OrganisationId == desk.Organisation.Id, ct);
        if (model is null)
        {
            return Outcome<InsightsModelSummary>.NotFound("No such model for this organisation");
        }
        if (model.State != InsightsModelState.Ready)
        {
            return Outcome<InsightsModelSummary>.Conflict("", model.State == InsightsModelState.Failed
                ? "This model failed to train, so it cannot be switched on"
                : "This model is still training: switch it on when it is ready");
        }
        if (model.IsActive)
        {
            return Outcome<InsightsModelSummary>.Ok(Summary(model));
        }
        await Task.Run(() => engine.Classifier(modelId, () => db.Set<InsightsModelRecord>().AsNoTracking().Where(m => m.Id == modelId).Select(m => m.Model!).First()), ct);
        var now = Now;
        await using (var tx = await db.Database.BeginTransactionAsync(ct))
        {
            await db.Set<InsightsModelRecord>().Where(m => m.OrganisationId == desk.Organisation.Id && m.IsActive && m.Id != modelId)
                .ExecuteUpdateAsync(s => s.SetProperty(m => m.IsActive, false), ct);
            await db.Set<InsightsModelRecord>().Where(m => m.Id == modelId)
                .ExecuteUpdateAsync(s => s.SetProperty(m => m.IsActive, true).SetProperty(m => m.ActivatedAt, now), ct);
            // Nothing is reset: the items this model did not sort are its job's to sort (InboxClassification.ToClassify).
            jobs.Enqueue(db, new ClassifyInbox(desk.Organisation.Id));
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
        }
        cache.Remove(TopicsKey(desk.Organisation.Id));
        return Outcome<InsightsModelSummary>.Ok(Summary(model) with { IsActive = true, ActivatedAt = now });
    }

    /// <summary>The framework the organisation's items are sorted by: its active model's, or the default's.</summary>
    public async Task<FrameworkInUse?> FrameworkAsync(OrganisationDesk desk, CancellationToken ct)
    {
        var own = await db.Set<InsightsModelRecord>().AsNoTracking().Where(m => m.OrganisationId == desk.Organisation.Id && m.IsActive)
            .Select(m => new { m.Id, m.FrameworkJson }).FirstOrDefaultAsync(ct);
        var framework = own is null ? DefaultInsights.Framework : Framework.Parse(own.FrameworkJson);
        return new FrameworkInUse(own?.Id ?? 0, framework.Name, framework.Version, own is null,
            framework.Themes.Select(t => new ThemeChoice(t.Id, t.DisplayName, t.Critical)).ToList());
    }

    /// <summary>A responder or admin sets an item's themes (ids of the framework in use); none means no theme fits.</summary>
    public async Task<Outcome<InboxItem>> CorrectAsync(OrganisationDesk desk, long itemId, IReadOnlyList<string> themeIds, CancellationToken ct)
    {
        if (!desk.CanRespond)
        {
            return Outcome<InboxItem>.Forbidden("Viewers can't correct themes: ask an admin to make you a responder");
        }
        var framework = (await FrameworkAsync(desk, ct))!;
        var byId = framework.Themes.ToDictionary(t => t.Id, StringComparer.Ordinal);
        var chosen = themeIds.Select(t => t.Trim()).Where(t => t.Length > 0).Distinct().ToList();
        if (chosen.FirstOrDefault(t => !byId.ContainsKey(t)) is { } unknown)
        {
            return Outcome<InboxItem>.Invalid("themes", $"'{Clip(unknown, 100)}' is not a theme of {framework.Name}: choose from {string.Join(", ", byId.Keys)}");
        }
        var item = await db.Set<InboxItem>().FirstOrDefaultAsync(i => i.Id == itemId && i.OrganisationId == desk.Organisation.Id, ct);
        if (item is null)
        {
            return Outcome<InboxItem>.NotFound("No such item in this inbox");
        }
        var names = chosen.Select(t => byId[t].Name).ToList();
        item.Theme = names.Count == 0 ? null : Clip(names[0], 100);
        item.Themes = names.Count == 0 ? null : Clip(string.Join("; ", names), 1000);
        item.ThemeCorrected = true;
        item.Critical = item.Critical || chosen.Any(t => byId[t].Critical);
        item.UpdatedAt = Now;
        db.Add(new ThemeCorrection
        {
            Id = ids.Next(), OrganisationId = desk.Organisation.Id, ItemId = item.Id, FrameworkName = Clip(framework.Name, 200),
            ThemeIds = Clip(string.Join('\n', chosen), 2000), CorrectedById = desk.StaffId, CorrectedAt = Now,
        });
        db.Add(new InboxHistoryEntry
        {
            Id = ids.Next(), ItemId = item.Id, ActorId = desk.StaffId, At = Now,
            What = Clip(names.Count == 0 ? "Corrected the theme: no theme fits" : $"Corrected the theme to {string.Join(", ", names)}", 300),
        });
        await db.SaveChangesAsync(ct);
        return Outcome<InboxItem>.Ok(item);
    }

    /// <summary>A model's training rows: its labelled file, then the latest correction of each item made in its framework.</summary>
    public async Task<List<FeedbackRow>> TrainingRowsAsync(InsightsModelRecord record, Framework framework, CancellationToken ct)
    {
        var rows = FeedbackCsv.ReadLabelled(record.DataFile, framework, record.DataFileName).Rows.ToList();
        if (record.OrganisationId is not { } organisationId)
        {
            return rows;
        }
        var corrections = await db.Set<ThemeCorrection>().AsNoTracking()
            .Where(c => c.OrganisationId == organisationId && c.FrameworkName == framework.Name)
            .Join(db.Set<InboxItem>(), c => c.ItemId, i => i.Id, (c, i) => new { c.Id, c.ItemId, c.ThemeIds, i.Text })
            .ToListAsync(ct);
        var index = framework.Themes.Select((t, i) => (t.Id, i)).ToDictionary(p => p.Id, p => p.i, StringComparer.Ordinal);
        foreach (var c in corrections.GroupBy(c => c.ItemId).Select(g => g.MaxBy(c => c.Id)!))
        {
            var themes = c.ThemeIds.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(index.ContainsKey).Select(t => index[t]).ToList();
            if (framework.IsSingleLabel && themes.Count > 1)
            {
                themes = themes.Take(1).ToList();
            }
            rows.Add(new FeedbackRow { Line = 0, Id = CorrectionPrefix + c.ItemId.ToString(CultureInfo.InvariantCulture), Text = c.Text, Themes = themes });
        }
        return rows;
    }

    /// <summary>
    /// What people raise that the framework misses, among the latest items (up to <see cref="TopicItems"/>, 90 days):
    /// comments no theme claims, grouped and named by the insights engine. Kept for ten minutes per organisation.
    /// </summary>
    public async Task<TopicsView?> TopicsAsync(OrganisationDesk desk, CancellationToken ct)
    {
        if (cache.TryGetValue(TopicsKey(desk.Organisation.Id), out TopicsView? cached) && cached is not null)
        {
            return cached;
        }
        var record = await classification.ModelForAsync(desk.Organisation.Id, ct);
        if (record is null)
        {
            return null;
        }
        var since = Now.AddDays(-90);
        var texts = await db.Set<InboxItem>().AsNoTracking().Where(i => i.OrganisationId == desk.Organisation.Id && i.ReceivedAt >= since)
            .OrderByDescending(i => i.Id).Take(TopicItems).Select(i => i.Text).ToListAsync(ct);
        var classifier = engine.Classifier(record.Id, () => db.Set<InsightsModelRecord>().AsNoTracking().Where(m => m.Id == record.Id).Select(m => m.Model!).First());
        var embedder = engine.EmbedderFor(classifier.Model.EmbeddingModel ?? MiniLmEmbedder.Name);
        var result = await Task.Run(() => EmergingTopics.Find(texts, embedder, classifier, new TopicOptions { MinSize = 3 }), ct);
        var view = new TopicsView(result.Comments, result.Uncovered, since, result.Topics.Take(10).ToList(), classifier.Model.Framework.Name);
        cache.Set(TopicsKey(desk.Organisation.Id), view, TimeSpan.FromMinutes(10));
        return view;
    }

    private static string TopicsKey(long organisationId) => "insights-topics:" + organisationId.ToString(CultureInfo.InvariantCulture);

    private IQueryable<InsightsModelRecord> Summaries() => db.Set<InsightsModelRecord>().AsNoTracking().Select(m => new InsightsModelRecord
    {
        Id = m.Id, OrganisationId = m.OrganisationId, FrameworkName = m.FrameworkName, FrameworkVersion = m.FrameworkVersion, DataFileName = m.DataFileName,
        DataReadAs = m.DataReadAs, Rows = m.Rows, Corrections = m.Corrections, State = m.State, Stage = m.Stage, Done = m.Done, Total = m.Total,
        Error = m.Error, QualityJson = m.QualityJson, IsActive = m.IsActive, CreatedAt = m.CreatedAt, TrainedAt = m.TrainedAt, ActivatedAt = m.ActivatedAt,
    });

    private static InsightsModelSummary Summary(InsightsModelRecord m) => new(
        m.Id, m.FrameworkName, m.FrameworkVersion, m.DataFileName, m.DataReadAs, m.Rows, m.Corrections, m.State, m.Stage, m.Done, m.Total, m.Error,
        ModelQuality.Parse(m.QualityJson), m.IsActive, m.CreatedAt, m.TrainedAt, m.ActivatedAt);

    private DateTime Now => clock.GetUtcNow().UtcDateTime;

    private static string Utf8(byte[] bytes) =>
        new System.Text.UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true).GetString(bytes).TrimStart('\uFEFF');

    /// <summary>The library's messages start in lower case and name the source; a page shows them as a sentence.</summary>
    private static string Sentence(string message) => message.Length == 0 ? message : char.ToUpperInvariant(message[0]) + message[1..];

    private static string Clip(string s, int max) => s.Length > max ? s[..max] : s;

    private static string CleanFileName(string? name, string fallback)
    {
        var file = Path.GetFileName(name ?? "").Trim();
        file = new string(file.Where(c => !char.IsControl(c)).ToArray());
        return file.Length == 0 ? fallback : Clip(file, 200);
    }
}
