using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Drawbridge.Accounts;
using Drawbridge.Data;
using Drawbridge.Posts;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Drawbridge.Bench;

/// <summary>
/// Builds the benchmark community straight into a SQLite file with the real schema (migrated by the host's own
/// code): accounts with a skewed (Zipf-like) follow graph in which account #1, the hub, is followed by a fixed
/// number of accounts; posts and threads; home timelines as fan-out on write would have left them; tags; the
/// full-text index; and one API token per account. Deterministic for a given seed and size.
/// </summary>
public static class DatasetGenerator
{
    /// <summary>Bumped whenever the generated data changes shape, so bench/run regenerates cached datasets.</summary>
    public const int Version = 1;

    // A fixed clock keeps the dataset byte-for-byte repeatable; live posts made by the benchmark come later.
    private static readonly DateTime End = new(2026, 11, 1, 0, 0, 0, DateTimeKind.Utc);
    private static readonly DateTime PostsStart = End.AddDays(-60);
    private static readonly DateTime AccountsStart = PostsStart.AddDays(-30);

    private const double ReplyShare = 0.3;
    private const double HotRootShare = 0.02;
    private const double HubPostShare = 0.002;

    private static readonly string[] Tags =
    [
        "nhssm", "WeNurses", "socialcare", "midwifery", "paramedics", "mentalhealth", "primarycare", "frailty",
        "carers", "publichealth", "pharmacy", "districtnursing", "policing", "safeguarding",
    ];

    private static readonly string[] NoteTemplates =
    [
        "Busy handover this morning but everyone pitched in. Small kindnesses keep a ward going. #{0}",
        "We read every comment on last month's clinic survey. Next step: clearer letters about delays. #{0} #{1}",
        "Question for carers: what would make the discharge conversation easier for you? #{0}",
        "If it isn't an emergency, NHS 111 online can point you to the right service tonight. #{0}",
        "Proud of our students this term: curious, kind and asking the right questions. #{0}",
        "Tonight's #{0} chat is about breaks on night shifts. Join us at 8pm and bring your tips.",
        "Thank you to everyone who came to the community drop-in. We heard you about parking. #{0}",
        "Reminder that flu vaccines are available for eligible groups at local pharmacies. #{0} #{1}",
        "What does good continuity of care look like to you? Replies welcome, we read them all. #{0}",
        "Reflecting on a long week. Debriefs matter, and so does a cup of tea with the team. #{0}",
        "Scam calls pretending to be from the bank are up again. Hang up and call the number on your card. #{0}",
        "Our reablement team got three people home this week who thought they never would. #{0} #{1}",
        "Started a new rota today. Early days, but fewer split shifts already feels better. #{0}",
        "Shared decision making is a conversation, not a form. Notes from today's training. #{0}",
        "Visiting hours are changing next month after feedback from families. Details on our website. #{0}",
        "Walked past the new garden the volunteers planted. Patients were sitting in the sun. #{0}",
        "Looking for ideas: how do you make handovers safe when the ward is short staffed? #{0} #{1}",
        "Five years in community nursing today. Still learning something every single shift. #{0}",
        "A family wrote to say thank you for the way we explained the waiting list. That helps. #{0}",
        "Winter planning meeting done. The plan is only as good as how we tell people about it. #{0}",
    ];

    private static readonly string[] ReplyTemplates =
    [
        "Thank you for sharing this, it helps to know what happens behind the scenes.",
        "Totally agree. Our team changed handovers after a checklist trial and it stuck.",
        "Is there somewhere I can read more about this?",
        "This happened to my dad last year and the team were wonderful throughout.",
        "We waited a long time, but the staff were kind and kept us updated.",
        "Great thread. Sharing with my colleagues.",
        "How can carers give feedback about this?",
        "Could the letters be available in other languages too?",
        "Brilliant, well done all of you.",
        "Honest question: why does the clinic always run late on Mondays?",
        "Same on our ward. Would love to compare notes some time.",
        "Thanks for listening to families on this one.",
    ];

    public static async Task<int> RunAsync(Options options, TextWriter output)
    {
        var dataDirectory = Path.GetFullPath(options.Text("data"));
        var accounts = options.Number("accounts", 10_001, 2, 1_000_000);
        var posts = options.Number("posts", 1_000_000, 1, 20_000_000);
        var hubFollowers = options.Number("hub-followers", accounts - 1, 0, 1_000_000);
        var feedDepth = options.Number("feed-depth", 800, 1, 100_000);
        var seed = options.Number("seed", 20261126, 0, int.MaxValue);
        options.RejectUnknown();
        if (hubFollowers > accounts - 1)
        {
            throw new UsageException($"--hub-followers ({hubFollowers}) can be at most --accounts minus the hub itself ({accounts - 1}).");
        }
        if ((PostsStart - End).Duration().TotalMilliseconds < posts)
        {
            throw new UsageException($"--posts ({posts}) is more than one post per millisecond of the dataset's sixty days.");
        }
        var database = Path.Combine(dataDirectory, "drawbridge.db");
        if (File.Exists(database))
        {
            throw new UsageException($"{database} already exists: generate into a new, empty directory.");
        }
        Directory.CreateDirectory(dataDirectory);

        var clock = Stopwatch.StartNew();
        await MigrateAsync(dataDirectory);
        output.WriteLine($"schema migrated in {clock.Elapsed.TotalSeconds:F1} s");

        var community = Community.Build(accounts, posts, hubFollowers, seed);
        output.WriteLine($"community built in memory: {accounts} accounts, {community.FollowCount} follows, {posts} posts ({clock.Elapsed.TotalSeconds:F1} s)");

        var counts = Write(database, community, feedDepth, seed, output, clock);
        WriteTokens(Path.Combine(dataDirectory, "tokens.txt"), accounts, seed);
        WriteThreads(Path.Combine(dataDirectory, "threads.txt"), community);

        var manifest = new Dictionary<string, object>
        {
            ["version"] = Version, ["seed"] = seed, ["accounts"] = accounts, ["posts"] = posts, ["hubFollowers"] = hubFollowers,
            ["feedDepth"] = feedDepth, ["follows"] = community.FollowCount, ["homeFeedRows"] = counts.HomeFeed, ["tagRows"] = counts.Tags,
            ["hubHandle"] = community.Handles[0], ["generatedSeconds"] = Math.Round(clock.Elapsed.TotalSeconds, 1),
        };
        await File.WriteAllTextAsync(Path.Combine(dataDirectory, "dataset.json"), JsonSerializer.Serialize(manifest) + "\n");
        output.WriteLine($"dataset ready in {clock.Elapsed.TotalSeconds:F1} s: {dataDirectory}");
        return 0;
    }

    /// <summary>The host's own migration, so the benchmark always runs against the real schema.</summary>
    private static async Task MigrateAsync(string dataDirectory)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { [$"{DrawbridgeOptions.Section}:DataDirectory"] = dataDirectory })
            .Build();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddDrawbridgeDatabase(configuration);
        await using var provider = services.BuildServiceProvider();
        await DatabaseSetup.MigrateAsync(provider);
        SqliteConnection.ClearAllPools();
    }

    /// <summary>The plaintext API token of account number <paramref name="index"/> (0 is the hub); only its hash is stored.</summary>
    public static string Token(int seed, int index)
    {
        var bytes = SHA256.HashData(Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"drawbridge-bench:{seed}:{index}")));
        return Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
    }

    private static void WriteTokens(string path, int accounts, int seed)
    {
        using var writer = new StreamWriter(path, false, new UTF8Encoding(false));
        for (var i = 0; i < accounts; i++)
        {
            writer.Write(Token(seed, i));
            writer.Write('\n');
        }
    }

    /// <summary>Busy conversations (five posts or more) for the thread-page benchmark: "handle id" per line.</summary>
    private static void WriteThreads(string path, Community c)
    {
        using var writer = new StreamWriter(path, false, new UTF8Encoding(false));
        var written = 0;
        for (var i = c.PostIds.Length - 1; i >= 0 && written < 2000; i--)
        {
            if (c.Parent[i] < 0 && c.ConversationSize[i] >= 5)
            {
                writer.Write(string.Create(CultureInfo.InvariantCulture, $"{c.Handles[c.Author[i]]} {c.PostIds[i]}\n"));
                written++;
            }
        }
    }

    private readonly record struct RowCounts(long HomeFeed, long Tags);

    private static RowCounts Write(string database, Community c, int feedDepth, int seed, TextWriter output, Stopwatch clock)
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = database, Pooling = false }.ToString());
        connection.Open();
        // A one-off bulk load into a file nobody else has open: no journal, no fsync; WAL is restored at the end.
        Execute(connection, "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA cache_size=-262144; PRAGMA temp_store=MEMORY; PRAGMA locking_mode=EXCLUSIVE;");

        // Secondary indexes are dropped and rebuilt with their own definitions: one sort beats millions of random inserts.
        var indexes = new List<(string Name, string Sql)>();
        using (var list = connection.CreateCommand())
        {
            list.CommandText = "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN ('posts', 'home_feed', 'post_tags', 'follows')";
            using var reader = list.ExecuteReader();
            while (reader.Read())
            {
                indexes.Add((reader.GetString(0), reader.GetString(1)));
            }
        }
        foreach (var (name, _) in indexes)
        {
            Execute(connection, $"DROP INDEX \"{name}\"");
        }

        using var tx = connection.BeginTransaction();
        WriteAccounts(connection, tx, c, seed);
        WriteFollows(connection, tx, c);
        output.WriteLine($"accounts, users, tokens and follows written ({clock.Elapsed.TotalSeconds:F1} s)");
        var tagRows = WritePosts(connection, tx, c);
        output.WriteLine($"posts, tags and search index written ({clock.Elapsed.TotalSeconds:F1} s)");
        var feedRows = WriteHomeFeeds(connection, tx, c, feedDepth);
        output.WriteLine($"home timelines written: {feedRows} rows ({clock.Elapsed.TotalSeconds:F1} s)");
        foreach (var (_, sql) in indexes)
        {
            Execute(connection, sql, tx);
        }
        tx.Commit();
        output.WriteLine($"indexes rebuilt ({clock.Elapsed.TotalSeconds:F1} s)");
        Execute(connection, "PRAGMA locking_mode=NORMAL;");
        Execute(connection, "PRAGMA journal_mode=WAL;");
        return new RowCounts(feedRows, tagRows);
    }

    private static void WriteAccounts(SqliteConnection connection, SqliteTransaction tx, Community c, int seed)
    {
        using var account = Prepare(connection, tx, """
            INSERT INTO accounts ("Id", "Handle", "HandleKey", "DisplayName", "Bio", "Kind", "Profession", "Employer", "Links", "CreatedAt",
                                  "FollowersCount", "FollowingCount", "PostsCount", "Locked", "ReplyPolicy")
            VALUES ($id, $handle, $key, $name, $bio, $kind, $profession, $employer, '', $created, $followers, $following, $posts, 0, 0)
            """, "$id", "$handle", "$key", "$name", "$bio", "$kind", "$profession", "$employer", "$created", "$followers", "$following", "$posts");
        using var user = Prepare(connection, tx, """
            INSERT INTO "AspNetUsers" ("Id", "AccountId", "UserName", "NormalizedUserName", "Email", "NormalizedEmail", "EmailConfirmed",
                                       "SecurityStamp", "ConcurrencyStamp", "PhoneNumberConfirmed", "TwoFactorEnabled", "LockoutEnabled", "AccessFailedCount")
            VALUES ($id, $account, $name, $normal, $email, $normalEmail, 1, $stamp, $stamp, 0, 0, 1, 0)
            """, "$id", "$account", "$name", "$normal", "$email", "$normalEmail", "$stamp");
        using var token = Prepare(connection, tx, """
            INSERT INTO access_tokens ("Id", "AccountId", "UserId", "TokenHash", "Name", "CreatedAt") VALUES ($id, $account, $user, $hash, 'bench', $created)
            """, "$id", "$account", "$user", "$hash", "$created");
        for (var i = 0; i < c.AccountIds.Length; i++)
        {
            var handle = c.Handles[i];
            var created = Timestamp(c.AccountCreated[i]);
            var kind = i == 0 ? AccountKind.Organisation : i % 10 == 1 ? AccountKind.Professional : AccountKind.Member;
            Run(account, c.AccountIds[i], handle, handle.ToLowerInvariant(), i == 0 ? "Riverside Bench NHS Trust" : $"Bench Person {i}",
                i == 0 ? "The benchmark's busiest account: everyone follows it." : i % 3 == 0 ? "Carer, patient, curious about the NHS." : "",
                (int)kind, kind == AccountKind.Professional ? "Staff nurse" : null, kind == AccountKind.Professional ? "Riverside Bench NHS Trust" : null,
                created, c.FollowersCount[i], c.Following[i].Count, c.PostsCount[i]);
            var email = $"{handle.ToLowerInvariant()}@bench.drawbridge.test";
            Run(user, i + 1, c.AccountIds[i], handle.ToLowerInvariant(), handle.ToUpperInvariant(), email, email.ToUpperInvariant(),
                Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(handle)))[..32]);
            Run(token, c.AccountIds[i], c.AccountIds[i], i + 1, AccessTokenService.Hash(Token(seed, i)), created);
        }
    }

    private static void WriteFollows(SqliteConnection connection, SqliteTransaction tx, Community c)
    {
        using var follow = Prepare(connection, tx, """INSERT INTO follows ("FollowerId", "FolloweeId", "CreatedAt") VALUES ($a, $b, $at)""", "$a", "$b", "$at");
        for (var i = 0; i < c.AccountIds.Length; i++)
        {
            var at = Timestamp(c.AccountCreated[i].AddDays(1));
            foreach (var j in c.Following[i].Order())
            {
                Run(follow, c.AccountIds[i], c.AccountIds[j], at);
            }
        }
    }

    private static long WritePosts(SqliteConnection connection, SqliteTransaction tx, Community c)
    {
        using var post = Prepare(connection, tx, """
            INSERT INTO posts ("Id", "AuthorId", "Kind", "Content", "ContentHtml", "InReplyToId", "InReplyToAuthorId", "ConversationId", "Visibility",
                               "Status", "CreatedAt", "LikesCount", "RepostsCount", "RepliesCount")
            VALUES ($id, $author, 0, $content, $html, $parent, $parentAuthor, $conversation, 0, 2, $created, 0, 0, $replies)
            """, "$id", "$author", "$content", "$html", "$parent", "$parentAuthor", "$conversation", "$created", "$replies");
        using var tag = Prepare(connection, tx, """INSERT INTO post_tags ("PostId", "Tag") VALUES ($post, $tag)""", "$post", "$tag");
        using var search = Prepare(connection, tx, "INSERT INTO post_search(rowid, body) VALUES ($id, $body)", "$id", "$body");
        var renderer = new ContentRenderer();
        var rendered = new Dictionary<int, (string Text, string Html, IReadOnlyList<string> Tags)>();
        long tagRows = 0;
        for (var i = 0; i < c.PostIds.Length; i++)
        {
            if (!rendered.TryGetValue(c.TextKey[i], out var text))
            {
                var content = c.Text(c.TextKey[i]);
                text = (content, renderer.RenderNote(content, _ => null), ContentRenderer.Hashtags(content));
                rendered[c.TextKey[i]] = text;
            }
            var parent = c.Parent[i];
            Run(post, c.PostIds[i], c.AccountIds[c.Author[i]], text.Text, text.Html,
                parent < 0 ? null : c.PostIds[parent], parent < 0 ? null : c.AccountIds[c.Author[parent]],
                c.PostIds[c.Conversation[i]], Timestamp(c.PostCreated(i)), c.RepliesCount[i]);
            foreach (var t in text.Tags)
            {
                Run(tag, c.PostIds[i], t);
                tagRows++;
            }
            // As SearchIndex writes it: title, summary and content (notes have no title or summary).
            Run(search, c.PostIds[i], $"  {text.Text}");
        }
        return tagRows;
    }

    /// <summary>
    /// Each account's home timeline as the fan-out job would have written it, cut to the newest <paramref name="depth"/>
    /// entries: its own posts, its followees' posts, and their replies only where the owner also follows the account
    /// replied to (or is that account).
    /// </summary>
    private static long WriteHomeFeeds(SqliteConnection connection, SqliteTransaction tx, Community c, int depth)
    {
        using var entry = Prepare(connection, tx, """INSERT INTO home_feed ("OwnerId", "PostId", "AuthorId") VALUES ($owner, $post, $author)""", "$owner", "$post", "$author");
        var queue = new PriorityQueue<int, long>();
        var cursors = new List<int>();
        var sources = new List<int>();
        var chosen = new List<int>(depth);
        long rows = 0;
        for (var owner = 0; owner < c.AccountIds.Length; owner++)
        {
            queue.Clear();
            cursors.Clear();
            sources.Clear();
            sources.Add(owner);
            sources.AddRange(c.Following[owner]);
            foreach (var author in sources)
            {
                var list = c.PostsBy[author];
                cursors.Add(list.Count - 1);
                if (list.Count > 0)
                {
                    queue.Enqueue(cursors.Count - 1, -c.PostIds[list[^1]]);
                }
            }
            chosen.Clear();
            while (chosen.Count < depth && queue.TryDequeue(out var source, out _))
            {
                var list = c.PostsBy[sources[source]];
                var p = list[cursors[source]];
                if (--cursors[source] >= 0)
                {
                    queue.Enqueue(source, -c.PostIds[list[cursors[source]]]);
                }
                var author = c.Author[p];
                if (author != owner && c.Parent[p] >= 0)
                {
                    var repliedTo = c.Author[c.Parent[p]];
                    if (repliedTo != author && repliedTo != owner && !c.Follows(owner, repliedTo))
                    {
                        continue;
                    }
                }
                chosen.Add(p);
            }
            chosen.Sort();
            foreach (var p in chosen)
            {
                Run(entry, c.AccountIds[owner], c.PostIds[p], c.AccountIds[c.Author[p]]);
            }
            rows += chosen.Count;
        }
        return rows;
    }

    private static string Timestamp(DateTime at) => at.ToString("yyyy-MM-dd HH:mm:ss.FFFFFFF", CultureInfo.InvariantCulture);

    private static void Execute(SqliteConnection connection, string sql, SqliteTransaction? tx = null)
    {
        using var command = connection.CreateCommand();
        command.Transaction = tx;
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private static SqliteCommand Prepare(SqliteConnection connection, SqliteTransaction tx, string sql, params string[] names)
    {
        var command = connection.CreateCommand();
        command.Transaction = tx;
        command.CommandText = sql;
        foreach (var name in names)
        {
            command.Parameters.Add(new SqliteParameter { ParameterName = name });
        }
        command.Prepare();
        return command;
    }

    private static void Run(SqliteCommand command, params object?[] values)
    {
        for (var i = 0; i < values.Length; i++)
        {
            command.Parameters[i].Value = values[i] ?? DBNull.Value;
        }
        command.ExecuteNonQuery();
    }

    /// <summary>The whole community in memory, by index: account 0 is the hub.</summary>
    private sealed class Community
    {
        public required long[] AccountIds { get; init; }
        public required string[] Handles { get; init; }
        public required DateTime[] AccountCreated { get; init; }
        public required List<int>[] Following { get; init; }
        public required int[] FollowersCount { get; init; }
        public required int[] PostsCount { get; init; }
        public required HashSet<long> FollowPairs { get; init; }
        public required long[] PostIds { get; init; }
        public required int[] Author { get; init; }
        public required int[] Parent { get; init; }
        public required int[] Conversation { get; init; }
        public required int[] RepliesCount { get; init; }
        public required int[] ConversationSize { get; init; }
        public required int[] TextKey { get; init; }
        public required List<int>[] PostsBy { get; init; }
        public required long SpacingTicks { get; init; }

        public long FollowCount => FollowPairs.Count;

        public bool Follows(int follower, int followee) => FollowPairs.Contains(Pair(follower, followee));

        public DateTime PostCreated(int i) => PostsStart.AddTicks(SpacingTicks * i);

        /// <summary>Text keys: replies are negative (-1 - template), notes encode template and two tags.</summary>
        public string Text(int key)
        {
            if (key < 0)
            {
                return ReplyTemplates[-1 - key];
            }
            var template = key / (Tags.Length * Tags.Length);
            var first = key / Tags.Length % Tags.Length;
            var second = key % Tags.Length;
            return string.Format(CultureInfo.InvariantCulture, NoteTemplates[template], Tags[first], Tags[second]);
        }

        private static long Pair(int follower, int followee) => ((long)follower << 32) | (uint)followee;

        public static Community Build(int accounts, int posts, int hubFollowers, int seed)
        {
            var random = new Random(seed);
            var ids = new long[accounts];
            var handles = new string[accounts];
            var created = new DateTime[accounts];
            var following = new List<int>[accounts];
            var followers = new int[accounts];
            var pairs = new HashSet<long>();
            var accountSpacing = TimeSpan.FromTicks((PostsStart - AccountsStart).Ticks / accounts);
            for (var i = 0; i < accounts; i++)
            {
                created[i] = AccountsStart + accountSpacing * i;
                // Low bits keep ids distinct even when accounts share a millisecond.
                ids[i] = Snowflake.LowestAt(new DateTimeOffset(created[i])) + (i & 0xFFFF);
                handles[i] = i == 0 ? "bench_hub" : string.Create(CultureInfo.InvariantCulture, $"bench{i:D6}");
                following[i] = [];
            }
            void Follow(int a, int b)
            {
                if (a != b && pairs.Add(Pair(a, b)))
                {
                    following[a].Add(b);
                    followers[b]++;
                }
            }
            // The hub: followed by exactly hubFollowers accounts, the first ones after it.
            for (var i = 1; i <= hubFollowers; i++)
            {
                Follow(i, 0);
            }
            // Everyone else: popularity is Zipf-like (weight 1/rank) over a shuffled order, so a few accounts are
            // followed by thousands and most by a handful. Each account follows 5 to 75 others (40 on average).
            var popular = Zipf(Shuffled(random, 1, accounts), 1.0);
            for (var i = 0; i < accounts; i++)
            {
                var wanted = Math.Min(accounts - 2, 5 + random.Next(71));
                for (var attempt = 0; following[i].Count < wanted + (i is > 0 && i <= hubFollowers ? 1 : 0) && attempt < wanted * 4; attempt++)
                {
                    Follow(i, popular.Next(random));
                }
            }

            // Posts: authors are skewed too (weight 1/rank^0.7, another shuffled order); the hub posts a small share.
            var activity = Zipf(Shuffled(random, 1, accounts), 0.7);
            var postIds = new long[posts];
            var author = new int[posts];
            var parent = new int[posts];
            var conversation = new int[posts];
            var replies = new int[posts];
            var size = new int[posts];
            var textKey = new int[posts];
            var postsBy = new List<int>[accounts];
            var postsCount = new int[accounts];
            for (var a = 0; a < accounts; a++)
            {
                postsBy[a] = [];
            }
            var spacing = (End - PostsStart).Ticks / posts;
            // Busy conversations: a small share of roots attract most replies, as threads do.
            var hot = new List<int>();
            var hotMembers = new Dictionary<int, List<int>>();
            for (var i = 0; i < posts; i++)
            {
                postIds[i] = Snowflake.LowestAt(new DateTimeOffset(PostsStart.AddTicks(spacing * i))) + (i & 0x3FF);
                var who = random.NextDouble() < HubPostShare ? 0 : activity.Next(random);
                author[i] = who;
                parent[i] = -1;
                conversation[i] = i;
                if (i > 0 && random.NextDouble() < ReplyShare)
                {
                    int to;
                    if (hot.Count > 0 && random.Next(2) == 0)
                    {
                        var members = hotMembers[hot[hot.Count - 1 - random.Next(Math.Min(hot.Count, 64))]];
                        to = members[random.Next(members.Count)];
                    }
                    else
                    {
                        to = i - 1 - random.Next(Math.Min(i, 5000));
                    }
                    parent[i] = to;
                    conversation[i] = conversation[to];
                    replies[to]++;
                    if (hotMembers.TryGetValue(conversation[i], out var thread))
                    {
                        thread.Add(i);
                    }
                    textKey[i] = -1 - random.Next(ReplyTemplates.Length);
                }
                else
                {
                    if (random.NextDouble() < HotRootShare)
                    {
                        hot.Add(i);
                        hotMembers[i] = [i];
                    }
                    textKey[i] = (random.Next(NoteTemplates.Length) * Tags.Length + random.Next(Tags.Length)) * Tags.Length + random.Next(Tags.Length);
                }
                size[conversation[i]]++;
                postsBy[who].Add(i);
                postsCount[who]++;
            }
            return new Community
            {
                AccountIds = ids, Handles = handles, AccountCreated = created, Following = following, FollowersCount = followers,
                PostsCount = postsCount, FollowPairs = pairs, PostIds = postIds, Author = author, Parent = parent, Conversation = conversation,
                RepliesCount = replies, ConversationSize = size, TextKey = textKey, PostsBy = postsBy, SpacingTicks = spacing,
            };
        }

        private static int[] Shuffled(Random random, int from, int to)
        {
            var order = Enumerable.Range(from, to - from).ToArray();
            random.Shuffle(order);
            return order;
        }

        private static Sampler Zipf(int[] order, double exponent)
        {
            var cumulative = new double[order.Length];
            var sum = 0.0;
            for (var rank = 0; rank < order.Length; rank++)
            {
                sum += 1.0 / Math.Pow(rank + 1, exponent);
                cumulative[rank] = sum;
            }
            return new Sampler(order, cumulative);
        }
    }

    /// <summary>Draws an index with probability proportional to its weight (binary search over cumulative weights).</summary>
    private sealed class Sampler(int[] items, double[] cumulative)
    {
        public int Next(Random random)
        {
            if (items.Length == 0)
            {
                return 0;
            }
            var target = random.NextDouble() * cumulative[^1];
            var at = Array.BinarySearch(cumulative, target);
            return items[Math.Min(at < 0 ? ~at : at, items.Length - 1)];
        }
    }
}
