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
        SeedInbox(random, now, trust, professionals.Where(p => p.Employer == trust.DisplayName).ToList(), IdAt);
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
        log.LogInformation("Demo community seeded: {Accounts} accounts, {Posts} posts, an inbox of 480 items", accounts.Count, posts.Count);
        await EnsureModeratorsAsync(ct);
        PrintSignIn();
    }

    private static readonly (string Theme, string Positive, string Negative)[] Feedback =
    [
        ("Waiting times", "I was seen quicker than I expected and kept informed while I waited.", "We waited over four hours and nobody told us why."),
        ("Staff attitude", "The nurses were kind, patient and took time to explain everything.", "One member of staff was abrupt with my mum and didn't listen."),
        ("Communication", "The doctor explained my results in words I understood.", "Nobody told us when visiting hours changed."),
        ("Appointments", "Booking online was easy and the reminder text helped.", "My appointment was cancelled twice with no explanation."),
        ("Food", "The food was hot and there was a good choice.", "Dad's meals arrived cold and he couldn't open the packets."),
        ("Environment", "The ward was clean and calm at night.", "The bay was very noisy overnight and the lights stayed on."),
        ("Parking", "There were plenty of spaces near the entrance.", "Parking was impossible and the machines didn't take cards."),
        ("Discharge", "The discharge letter was clear and named who to call.", "Discharge took all day and the medicines weren't ready."),
        ("Pain management", "My pain was checked regularly and managed well.", "I asked for pain relief several times before anyone came."),
    ];

    private static readonly string[] Services = ["Ward 3", "Ward 7", "Emergency department", "Outpatients", "Maternity", "District nursing", "Physiotherapy"];

    /// <summary>
    /// Six months of the trust's inbox, as a team that mostly keeps up would have left it: most items answered within a
    /// day or two of working time and closed, some still waiting past the target, themes and sentiment set, and
    /// "you said, we did" changes planned and made from them.
    /// </summary>
    private void SeedInbox(Random random, DateTime now, Account trust, List<Account> staff, Func<DateTime, long> idAt)
    {
        db.Add(new Listening.OrganisationListeningSettings { OrganisationId = trust.Id, UpdatedAt = now });
        db.Add(new Listening.TwoWayScoreConsent { AccountId = trust.Id, PublicSince = now });
        var items = new List<Listening.InboxItem>();
        var responders = staff.Count > 0 ? staff : [trust];
        for (var i = 0; i < 480; i++)
        {
            // More recent weeks carry more feedback, as a form that is being shared does.
            var age = TimeSpan.FromDays(180 * Math.Pow(random.NextDouble(), 1.3));
            var at = now - age;
            var (theme, positive, negative) = Feedback[random.Next(Feedback.Length)];
            var roll = random.NextDouble();
            var sentiment = roll < 0.45 ? "negative" : roll < 0.85 ? "positive" : "neutral";
            var text = sentiment == "positive" ? positive : sentiment == "negative" ? negative : $"{positive} {negative}";
            var service = Services[random.Next(Services.Length)];
            var name = random.Next(3) == 0 ? null : FirstNames[random.Next(FirstNames.Length)];
            var item = new Listening.InboxItem
            {
                Id = idAt(at),
                OrganisationId = trust.Id,
                AddressedToId = trust.Id,
                Source = Listening.InboxSource.Feedback,
                State = Listening.InboxState.New,
                AuthorName = name,
                Service = service,
                Text = text,
                SearchText = Listening.InboxService.SearchTextOf(text, service, name),
                Theme = theme,
                Sentiment = sentiment,
                Critical = sentiment == "negative" && random.Next(40) == 0,
                ReceivedAt = at,
                UpdatedAt = at,
            };
            var answered = age > TimeSpan.FromDays(4) ? random.NextDouble() < 0.9 : random.NextDouble() < 0.4;
            if (answered)
            {
                var responder = responders[random.Next(responders.Count)];
                // Mostly within a working day or two; a tail that takes a week.
                var respondedAt = at.AddHours(random.NextDouble() < 0.8 ? 1 + random.Next(40) : 48 + random.Next(150));
                if (respondedAt < now)
                {
                    item.RespondedAt = respondedAt;
                    item.RespondedById = responder.Id;
                    item.RespondedAsOrganisation = true;
                    item.ResponseText = sentiment == "positive"
                        ? "Thank you for taking the time to tell us: we've shared this with the team."
                        : "Thank you for telling us, and we're sorry. We've passed this to the service lead, who will look into it.";
                    item.State = Listening.InboxState.Responded;
                    item.UpdatedAt = respondedAt;
                    var closedAt = respondedAt.AddDays(1 + random.Next(6));
                    if (closedAt < now && random.NextDouble() < 0.75)
                    {
                        item.ClosedAt = closedAt;
                        item.State = Listening.InboxState.Closed;
                        item.UpdatedAt = closedAt;
                    }
                }
            }
            else if (random.Next(3) == 0)
            {
                item.AssigneeId = responders[random.Next(responders.Count)].Id;
                item.State = Listening.InboxState.Assigned;
            }
            else if (random.Next(2) == 0)
            {
                item.State = Listening.InboxState.Read;
            }
            items.Add(item);
            db.Add(item);
            db.Add(new Listening.InboxHistoryEntry { Id = idAt(at), ItemId = item.Id, What = "Received through the feedback form", At = at });
        }

        var admin = staff.FirstOrDefault(s => s.Handle == ModeratorHandle) ?? responders[0];
        var changes = new (string Theme, string Title, string YouSaid, string WeDid, bool Made, Listening.ChangeReview Review, int DaysAgo)[]
        {
            ("Communication", "Visiting hours on every ward door", "Families told us they didn't know when visiting hours changed.", "Every ward door and our website now show the visiting hours, and the ward clerk texts regular visitors when they change.", true, Listening.ChangeReview.Published, 120),
            ("Food", "Help with meals for people who need it", "Relatives said meals arrived cold and some patients couldn't open the packets.", "Red trays now mark patients who need help, and a volunteer joins each ward at lunch and tea.", true, Listening.ChangeReview.Published, 90),
            ("Environment", "Quiet hours at night", "People told us the bays were noisy overnight and the lights stayed on.", "From 11pm the main lights go down, phones go to silent and eye masks and ear plugs are offered.", true, Listening.ChangeReview.Published, 60),
            ("Waiting times", "Telling you how long the wait is", "You said waiting without knowing why was the hardest part.", "We're putting a screen in the emergency department that shows the current wait, updated every half hour.", false, Listening.ChangeReview.Published, 30),
            ("Parking", "Card payment at every parking machine", "Parking machines that only took coins caused stress before appointments.", "Every machine will take cards and phones by the end of next month.", false, Listening.ChangeReview.Published, 14),
            ("Discharge", "Medicines ready before the day of discharge", "Discharge took all day while people waited for medicines.", "Pharmacy will prepare medicines the afternoon before a planned discharge.", false, Listening.ChangeReview.AwaitingReview, 5),
        };
        foreach (var c in changes)
        {
            var at = now.AddDays(-c.DaysAgo);
            var change = new Listening.ChangeRecord
            {
                Id = idAt(at),
                OrganisationId = trust.Id,
                Title = c.Title,
                YouSaid = c.YouSaid,
                WeDid = c.WeDid,
                Status = c.Made ? Listening.ChangeStatus.Made : Listening.ChangeStatus.Planned,
                Review = c.Review,
                DraftedById = responders[random.Next(responders.Count)].Id,
                InternalNote = "Agreed at the patient experience group.",
                CreatedAt = at.AddDays(-3),
                UpdatedAt = c.Made ? at.AddDays(10) : at,
                PublishedAt = c.Review == Listening.ChangeReview.Published ? at : null,
                PublishedById = c.Review == Listening.ChangeReview.Published ? admin.Id : null,
                MadeAt = c.Made ? at.AddDays(10) : null,
            };
            db.Add(change);
            foreach (var item in items.Where(x => x.Theme == c.Theme && x.Sentiment == "negative" && x.ReceivedAt < at).Take(6))
            {
                db.Add(new Listening.ChangeRecordItem { ChangeId = change.Id, ItemId = item.Id });
                if (item.State != Listening.InboxState.Closed)
                {
                    item.State = c.Made ? Listening.InboxState.ChangeMade : Listening.InboxState.ChangePlanned;
                }
            }
        }
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
