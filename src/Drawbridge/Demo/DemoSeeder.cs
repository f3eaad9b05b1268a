using Drawbridge.Accounts;
using Drawbridge.Data;
using Drawbridge.Posts;
using Drawbridge.Social;
using Drawbridge.Timelines;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace Drawbridge.Demo;

/// <summary>
/// Seeds a believable community once, deterministically (fixed random seed, fixed clock offsets): professionals,
/// two organisations, members of the public, and a few thousand posts, articles and replies under real hashtags.
/// </summary>
public sealed class DemoSeeder(DrawbridgeDb db, ContentRenderer renderer, TimeProvider clock, ILogger<DemoSeeder> log)
{
    public const string Password = "drawbridge-demo";
    public const string SignInEmail = "amara.okafor@demo.drawbridge.test";

    private static readonly (string Handle, string Name, string Profession, string Employer, string Bio)[] Professionals =
    [
        ("amara_rn", "Amara Okafor", "Staff nurse", "Riverside NHS Foundation Trust", "Acute medical unit nurse. #WeNurses regular. Views my own."),
        ("drpriya", "Dr Priya Raman", "GP partner", "Hollybush Medical Practice", "Family doctor, trainer, occasional podcaster."),
        ("midwife_jo", "Jo Whitfield", "Community midwife", "Riverside NHS Foundation Trust", "Continuity of carer team. Birth, babies and the bits in between."),
        ("para_tom", "Tom Brennan", "Paramedic", "Northern Ambulance Service", "Paramedic on the road for 11 years. Talks about falls, frailty and kindness."),
        ("para_sian", "Siân Evans", "Specialist paramedic", "Northern Ambulance Service", "Urgent care specialist paramedic."),
        ("sw_kwame", "Kwame Mensah", "Social worker", "Eastfield Council Adult Social Care", "Adult social worker. Strengths-based practice, carers' rights."),
        ("mhnurse_lena", "Lena Kowalski", "Mental health nurse", "Riverside NHS Foundation Trust", "Community mental health nurse. Crisis care and recovery."),
        ("pc_harris", "PC Dan Harris", "Police constable", "Eastfield Police", "Neighbourhood officer. Community safety, scams, and missing people."),
        ("nurse_mei", "Mei Lin Chen", "Ward sister", "Riverside NHS Foundation Trust", "Respiratory ward sister. Proud of my team."),
        ("hcsw_farah", "Farah Hussain", "Healthcare support worker", "Riverside NHS Foundation Trust", "HCSW and student nurse to be."),
        ("ot_rhys", "Rhys Morgan", "Occupational therapist", "Eastfield Council Adult Social Care", "OT in reablement. Getting people home."),
        ("pharm_ade", "Adebayo Adeyemi", "Pharmacist", "Hollybush Medical Practice", "Practice pharmacist. Medicines reviews and deprescribing."),
        ("nurse_ciara", "Ciara Byrne", "District nurse", "Riverside NHS Foundation Trust", "District nursing team lead."),
        ("dr_omar", "Dr Omar Siddiqui", "Emergency medicine consultant", "Riverside NHS Foundation Trust", "ED consultant. Flow, frailty and the four-hour standard."),
        ("hv_grace", "Grace Adjei", "Health visitor", "Riverside NHS Foundation Trust", "Health visitor. Infant feeding and perinatal mental health."),
        ("physio_ben", "Ben Clarke", "Physiotherapist", "Riverside NHS Foundation Trust", "MSK physio."),
        ("nurse_anil", "Anil Sharma", "Practice nurse", "Hollybush Medical Practice", "Practice nurse: immunisations, long-term conditions."),
        ("sw_ruth", "Ruth Goldberg", "Approved mental health professional", "Eastfield Council Adult Social Care", "AMHP and social worker."),
        ("para_nia", "Nia Roberts", "Emergency care assistant", "Northern Ambulance Service", "ECA, first year on the road."),
        ("dn_sofia", "Sofia Rossi", "Nurse educator", "Riverside NHS Foundation Trust", "Clinical educator. #WeNurses and #nhssm chat host."),
    ];

    private static readonly string[] FirstNames = ["Alex", "Sam", "Chris", "Jamie", "Priya", "Mohammed", "Fatima", "Olivia", "Noah", "Amelia", "Oliver", "Isla", "Leo", "Zainab", "Chloe", "Kofi", "Aisha", "Tomasz", "Ewa", "Liam", "Niamh", "Hannah", "Yusuf", "Grace", "Ravi", "Mei", "Dylan", "Ffion", "Callum", "Ayesha"];
    private static readonly string[] LastNames = ["Smith", "Jones", "Patel", "Khan", "Williams", "Brown", "Taylor", "Davies", "Evans", "Wilson", "Ali", "Nowak", "Murphy", "O'Neill", "Campbell", "Begum", "Singh", "Thomas", "Roberts", "Walker"];
    private static readonly string[] Tags = ["nhssm", "WeNurses", "socialcare", "midwifery", "paramedics", "mentalhealth", "primarycare", "frailty", "carers", "publichealth"];

    private static readonly string[] NoteTemplates =
    [
        "Long shift today but the team were brilliant. Remember to drink water and take your breaks. #{0}",
        "Great question at our patient forum today about waiting times. We're looking at how we share clinic delays. #{0}",
        "Reminder: if it's not an emergency, NHS 111 online can help you find the right service. #{0}",
        "Really proud of our students this week, asking all the right questions. #{0} #{1}",
        "Tonight's #{0} chat is on handovers: what makes a good one? Join us at 8pm.",
        "We changed our discharge letters after feedback from carers. Shorter, clearer, with a named contact. #{0}",
        "Flu and COVID vaccines are available for eligible groups. Check with your GP practice or pharmacy. #{0}",
        "Thank you to everyone who came to the community drop-in. We heard you about parking. #{0}",
        "What does good continuity of care look like to you? Replies welcome. #{0}",
        "Small things matter: introduce yourself, sit down, listen. #hellomynameis #{0}",
        "Our team read every comment you leave. This month's theme: communication about delays. #{0}",
        "Scams targeting older people are rising. Never share bank details on the phone. #{0}",
        "Carers' week: you are not alone. Local carers' centres can help with breaks and advice. #{0} #{1}",
        "First night shift back after leave. Coffee, then handover. #{0}",
        "Reflecting on a difficult week. Debriefs matter; so does kindness to each other. #{0}",
    ];

    private static readonly string[] ReplyTemplates =
    [
        "Thank you for sharing this, it really helps to know what happens behind the scenes.",
        "Totally agree. The handover on our ward changed when we started using a checklist.",
        "Is there somewhere I can read more about this?",
        "This happened to my mum last year and the team were wonderful. Thank you.",
        "We waited four hours in the end, but the staff were kind throughout.",
        "Great thread. Sharing with my team.",
        "How can carers give feedback about this?",
        "Could the letters be available in other languages too?",
        "Brilliant, well done all.",
        "Honest question: why does the clinic always run late on Mondays?",
    ];

    public async Task SeedAsync(CancellationToken ct)
    {
        if (await db.Accounts.AnyAsync(a => a.HandleKey == "amara_rn", ct))
        {
            await EnsureModeratorsAsync(ct);
            PrintSignIn();
            return;
        }
        // One transaction: a first start stopped while seeding (Ctrl+C) leaves no demo rather than half of one (accounts
        // without sign-ins or posts, which the check above would then take for a seeded demo), and the next start seeds it whole.
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var random = new Random(20261126);
        var now = clock.GetUtcNow().UtcDateTime;
        var start = now.AddDays(-60);
        var hasher = new PasswordHasher<User>();
        var sequence = 0L;
        long IdAt(DateTime at) => Snowflake.LowestAt(new DateTimeOffset(at, TimeSpan.Zero)) + (sequence++ & 0x3FF);

        var accounts = new List<Account>();
        var users = new List<User>();
        string? passwordHash = null;
        Account AddPerson(string handle, string name, AccountKind kind, string? profession, string? employer, string bio, string email)
        {
            var account = new Account
            {
                Id = IdAt(start.AddMinutes(accounts.Count)),
                Handle = handle,
                HandleKey = handle.ToLowerInvariant(),
                DisplayName = name,
                Kind = kind,
                Profession = profession,
                Employer = employer,
                Bio = bio,
                CreatedAt = start.AddMinutes(accounts.Count),
            };
            accounts.Add(account);
            var user = new User
            {
                UserName = account.HandleKey,
                NormalizedUserName = account.HandleKey.ToUpperInvariant(),
                Email = email,
                NormalizedEmail = email.ToUpperInvariant(),
                EmailConfirmed = true,
                AccountId = account.Id,
                SecurityStamp = Guid.NewGuid().ToString("N"),
                ConcurrencyStamp = Guid.NewGuid().ToString("N"),
            };
            // One hash for every demo user: hashing 220 passwords would take most of a minute.
            passwordHash ??= hasher.HashPassword(user, Password);
            user.PasswordHash = passwordHash;
            users.Add(user);
            return account;
        }

        foreach (var p in Professionals)
        {
            var first = p.Name.Replace("Dr ", "", StringComparison.Ordinal).Replace("PC ", "", StringComparison.Ordinal).Split(' ')[0];
            var last = p.Name.Split(' ')[^1];
            AddPerson(p.Handle, p.Name, AccountKind.Professional, p.Profession, p.Employer, p.Bio,
                $"{Ascii(first)}.{Ascii(last)}@demo.drawbridge.test".ToLowerInvariant());
        }
        var professionals = accounts.ToList();
        var trust = new Account { Id = IdAt(start), Handle = "RiversideNHS", HandleKey = "riversidenhs", DisplayName = "Riverside NHS Foundation Trust", Kind = AccountKind.Organisation, Bio = "Acute and community services for Riverside and the valleys. We read every comment. For urgent medical help call 111 or 999.", CreatedAt = start };
        var council = new Account { Id = IdAt(start), Handle = "EastfieldASC", HandleKey = "eastfieldasc", DisplayName = "Eastfield Council Adult Social Care", Kind = AccountKind.Organisation, Bio = "Adult social care in Eastfield: care assessments, carers' support, reablement.", CreatedAt = start };
        accounts.Add(trust);
        accounts.Add(council);
        var members = new List<Account>();
        for (var i = 0; i < 200; i++)
        {
            var first = FirstNames[random.Next(FirstNames.Length)];
            var last = LastNames[random.Next(LastNames.Length)];
            var handle = $"{Ascii(first)}{Ascii(last)}{i}".ToLowerInvariant();
            members.Add(AddPerson(handle, $"{first} {last}", AccountKind.Member, null, null, i % 3 == 0 ? "Carer, patient, curious about the NHS." : "", $"{handle}@demo.drawbridge.test"));
        }
        db.Accounts.AddRange(accounts);
        await db.SaveChangesAsync(ct);
        db.Users.AddRange(users);
        foreach (var p in professionals)
        {
            var org = p.Employer?.Contains("Council", StringComparison.Ordinal) == true ? council : trust;
            if (p.Employer == org.DisplayName)
            {
                db.OrganisationMembers.Add(new OrganisationMember { OrganisationId = org.Id, AccountId = p.Id, Role = p.Handle is "dn_sofia" or "sw_kwame" ? OrganisationRole.Admin : OrganisationRole.Responder });
            }
        }

        // Follows: everyone follows a few professionals; professionals follow each other; members follow the organisations.
        var follows = new HashSet<(long, long)>();
        foreach (var m in members)
        {
            foreach (var p in professionals.OrderBy(_ => random.Next()).Take(3 + random.Next(8)))
            {
                follows.Add((m.Id, p.Id));
            }
            follows.Add((m.Id, random.Next(2) == 0 ? trust.Id : council.Id));
        }
        foreach (var a in professionals)
        {
            foreach (var b in professionals.Where(b => b != a && random.Next(3) > 0))
            {
                follows.Add((a.Id, b.Id));
            }
            follows.Add((a.Id, trust.Id));
        }
        foreach (var (follower, followee) in follows)
        {
            db.Follows.Add(new Follow { FollowerId = follower, FolloweeId = followee, CreatedAt = start });
        }
        await db.SaveChangesAsync(ct);

        // Posts, articles and replies spread over sixty days.
        var posts = new List<Post>();
        var authors = professionals.Concat([trust, council]).ToList();
        for (var i = 0; i < 1800; i++)
        {
            var at = start.AddMinutes(60 + (i * 47.0) + random.Next(30));
            var author = authors[random.Next(authors.Count)];
            var template = NoteTemplates[random.Next(NoteTemplates.Length)];
            var text = string.Format(System.Globalization.CultureInfo.InvariantCulture, template, Tags[random.Next(Tags.Length)], Tags[random.Next(Tags.Length)]);
            posts.Add(NewPost(IdAt(at), author.Id, PostKind.Note, text, null, null, at));
        }
        for (var i = 0; i < 60; i++)
        {
            var at = start.AddHours(12 + i * 23);
            var author = professionals[random.Next(professionals.Count)];
            var tag = Tags[random.Next(Tags.Length)];
            var title = ArticleTitles[i % ArticleTitles.Length];
            var body = $"## Why this matters\n\n{title} is something we talk about a lot on the ward and in the community. " +
                       "Here is what we've learned, what we changed, and what we're still working on.\n\n" +
                       "- **Listen first**: ask what matters to the person.\n- **Be clear** about what happens next, and when.\n- **Close the loop**: tell people what changed because of their feedback.\n\n" +
                       $"We'd love to hear your experience in the comments. #{tag}";
            var post = NewPost(IdAt(at), author.Id, PostKind.Article, body, title, $"What we learned about {title.ToLowerInvariant()}.", at);
            if (i % 6 == 0)
            {
                post.EnclosureUrl = $"https://media.example.org/episodes/{i}.mp3";
                post.EnclosureType = "audio/mpeg";
                post.EnclosureLength = 12_000_000 + i;
            }
            posts.Add(post);
        }
        var roots = posts.ToList();
        var everyone = accounts.Where(a => a.Kind != AccountKind.Organisation).ToList();
        for (var i = 0; i < 1400; i++)
        {
            var parent = i < 1000 ? roots[random.Next(roots.Count)] : posts[random.Next(posts.Count)];
            var at = parent.CreatedAt.AddMinutes(5 + random.Next(600));
            if (at > now)
            {
                continue;
            }
            var author = everyone[random.Next(everyone.Count)];
            var reply = NewPost(IdAt(at), author.Id, PostKind.Note, ReplyTemplates[random.Next(ReplyTemplates.Length)], null, null, at);
            reply.InReplyToId = parent.Id;
            reply.InReplyToAuthorId = parent.AuthorId;
            reply.ConversationId = parent.ConversationId;
            parent.RepliesCount++;
            posts.Add(reply);
        }
        foreach (var p in posts)
        {
            db.Posts.Add(p);
            foreach (var tag in ContentRenderer.Hashtags($"{p.Title} {p.Content}"))
            {
                db.PostTags.Add(new PostTag { PostId = p.Id, Tag = tag });
            }
        }
        var likes = new HashSet<(long, long)>();
        for (var i = 0; i < 4000; i++)
        {
            var p = roots[random.Next(roots.Count)];
            var a = everyone[random.Next(everyone.Count)];
            if (likes.Add((a.Id, p.Id)))
            {
                db.Likes.Add(new Like { AccountId = a.Id, PostId = p.Id, CreatedAt = p.CreatedAt.AddHours(1) });
                p.LikesCount++;
            }
        }
        await db.SaveChangesAsync(ct);

        // Counts and timelines in bulk, as the live paths would have left them.
        await db.Database.ExecuteSqlRawAsync("""UPDATE accounts SET "PostsCount" = (SELECT COUNT(*) FROM posts p WHERE p."AuthorId" = accounts."Id"), "FollowersCount" = (SELECT COUNT(*) FROM follows f WHERE f."FolloweeId" = accounts."Id" AND f."State" = 0), "FollowingCount" = (SELECT COUNT(*) FROM follows f WHERE f."FollowerId" = accounts."Id" AND f."State" = 0)""", ct);
        await db.Database.ExecuteSqlRawAsync("""INSERT INTO home_feed ("OwnerId", "PostId", "AuthorId") SELECT f."FollowerId", p."Id", p."AuthorId" FROM posts p JOIN follows f ON f."FolloweeId" = p."AuthorId" AND f."State" = 0 WHERE p."InReplyToId" IS NULL ON CONFLICT DO NOTHING""", ct);
        await db.Database.ExecuteSqlRawAsync("""INSERT INTO home_feed ("OwnerId", "PostId", "AuthorId") SELECT p."AuthorId", p."Id", p."AuthorId" FROM posts p WHERE p."InReplyToId" IS NULL ON CONFLICT DO NOTHING""", ct);
        if (!db.IsPostgres)
        {
            await db.Database.ExecuteSqlRawAsync("INSERT INTO post_search(rowid, body) SELECT Id, coalesce(Title, '') || ' ' || coalesce(Summary, '') || ' ' || Content FROM posts", ct);
        }
        await transaction.CommitAsync(ct);
        log.LogInformation("Demo community seeded: {Accounts} accounts, {Posts} posts", accounts.Count, posts.Count);
        await EnsureModeratorsAsync(ct);
        PrintSignIn();
    }

    /// <summary>The demo's moderator and admin: @dn_sofia is in the Identity roles "moderator" and "admin" (idempotent).</summary>
    public const string ModeratorHandle = "dn_sofia";

    private async Task EnsureModeratorsAsync(CancellationToken ct)
    {
        foreach (var name in new[] { "moderator", "admin" })
        {
            var role = await db.Roles.FirstOrDefaultAsync(r => r.NormalizedName == name.ToUpperInvariant(), ct);
            if (role is null)
            {
                role = new IdentityRole<long> { Name = name, NormalizedName = name.ToUpperInvariant(), ConcurrencyStamp = Guid.NewGuid().ToString("N") };
                db.Roles.Add(role);
                await db.SaveChangesAsync(ct);
            }
            var user = await db.Users.FirstOrDefaultAsync(u => u.NormalizedUserName == ModeratorHandle.ToUpperInvariant(), ct);
            if (user is not null && !await db.UserRoles.AnyAsync(ur => ur.UserId == user.Id && ur.RoleId == role.Id, ct))
            {
                db.UserRoles.Add(new IdentityUserRole<long> { UserId = user.Id, RoleId = role.Id });
                await db.SaveChangesAsync(ct);
            }
        }
    }

    private static readonly string[] ArticleTitles =
    [
        "Making handovers safer", "What carers told us about discharge", "Falls at home: what paramedics see", "Hello, my name is", "Continuity of carer in midwifery",
        "Reablement after a hospital stay", "Why we publish 'you said, we did'", "Talking about waiting times honestly", "Supporting new starters on nights", "Scams and older people",
    ];

    private Post NewPost(long id, long author, PostKind kind, string text, string? title, string? summary, DateTime at)
    {
        var post = new Post
        {
            Id = id,
            AuthorId = author,
            Kind = kind,
            Content = text,
            Title = title,
            Summary = summary,
            Visibility = Visibility.Public,
            Status = PostStatus.Published,
            CreatedAt = at,
            ConversationId = id,
        };
        post.ContentHtml = kind == PostKind.Article ? renderer.RenderMarkdown(text) : renderer.RenderNote(text, _ => null);
        return post;
    }

    private static string Ascii(string s) => new(s.Normalize(System.Text.NormalizationForm.FormD).Where(char.IsAsciiLetterOrDigit).ToArray());

    private static void PrintSignIn() =>
        Console.WriteLine($"Demo community ready. Sign in at /auth/sign-in as {SignInEmail} (staff nurse @amara_rn) with the password '{Password}'; every demo account uses that password.");
}
