using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Drawbridge.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class FederationClientsListeningModeration : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_inbox_items_OrganisationId_State_Id",
                table: "inbox_items");

            migrationBuilder.DropIndex(
                name: "IX_inbox_items_OrganisationId_Theme_Id",
                table: "inbox_items");

            migrationBuilder.AddColumn<int>(
                name: "RemovalRuleId",
                table: "posts",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<bool>(
                name: "RemovedByModerator",
                table: "posts",
                type: "INTEGER",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<string>(
                name: "Queue",
                table: "jobs",
                type: "TEXT",
                maxLength: 32,
                nullable: false,
                defaultValue: "default");

            migrationBuilder.AddColumn<DateTime>(
                name: "ClassifiedAt",
                table: "inbox_items",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "ClassifiedByModelId",
                table: "inbox_items",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<bool>(
                name: "ThemeCorrected",
                table: "inbox_items",
                type: "INTEGER",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<string>(
                name: "Themes",
                table: "inbox_items",
                type: "TEXT",
                maxLength: 1000,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "AvatarUrl",
                table: "accounts",
                type: "TEXT",
                maxLength: 2048,
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "HeaderMediaId",
                table: "accounts",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "HeaderUrl",
                table: "accounts",
                type: "TEXT",
                maxLength: 2048,
                nullable: true);

            migrationBuilder.AddColumn<DateTime>(
                name: "LimitedAt",
                table: "accounts",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "MovedToAccountId",
                table: "accounts",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "ReplyPolicy",
                table: "accounts",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<string>(
                name: "ReplyPolicyReason",
                table: "accounts",
                type: "TEXT",
                maxLength: 500,
                nullable: true);

            migrationBuilder.AddColumn<DateTime>(
                name: "SuspendedAt",
                table: "accounts",
                type: "TEXT",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "account_notes",
                columns: table => new
                {
                    AccountId = table.Column<long>(type: "INTEGER", nullable: false),
                    TargetId = table.Column<long>(type: "INTEGER", nullable: false),
                    Text = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: false),
                    UpdatedAt = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_account_notes", x => new { x.AccountId, x.TargetId });
                    table.ForeignKey(
                        name: "FK_account_notes_accounts_AccountId",
                        column: x => x.AccountId,
                        principalTable: "accounts",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_account_notes_accounts_TargetId",
                        column: x => x.TargetId,
                        principalTable: "accounts",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "bookmarks",
                columns: table => new
                {
                    AccountId = table.Column<long>(type: "INTEGER", nullable: false),
                    PostId = table.Column<long>(type: "INTEGER", nullable: false),
                    CreatedAt = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_bookmarks", x => new { x.AccountId, x.PostId });
                    table.ForeignKey(
                        name: "FK_bookmarks_accounts_AccountId",
                        column: x => x.AccountId,
                        principalTable: "accounts",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_bookmarks_posts_PostId",
                        column: x => x.PostId,
                        principalTable: "posts",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "change_record_items",
                columns: table => new
                {
                    ChangeId = table.Column<long>(type: "INTEGER", nullable: false),
                    ItemId = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_change_record_items", x => new { x.ChangeId, x.ItemId });
                });

            migrationBuilder.CreateTable(
                name: "change_records",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false),
                    OrganisationId = table.Column<long>(type: "INTEGER", nullable: false),
                    Title = table.Column<string>(type: "TEXT", maxLength: 150, nullable: false),
                    YouSaid = table.Column<string>(type: "TEXT", maxLength: 4000, nullable: false),
                    WeDid = table.Column<string>(type: "TEXT", maxLength: 4000, nullable: false),
                    Service = table.Column<string>(type: "TEXT", maxLength: 100, nullable: true),
                    Status = table.Column<int>(type: "INTEGER", nullable: false),
                    Review = table.Column<int>(type: "INTEGER", nullable: false),
                    InternalNote = table.Column<string>(type: "TEXT", maxLength: 4000, nullable: true),
                    DraftedById = table.Column<long>(type: "INTEGER", nullable: false),
                    PublishedById = table.Column<long>(type: "INTEGER", nullable: true),
                    CreatedAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    UpdatedAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    MadeAt = table.Column<DateTime>(type: "TEXT", nullable: true),
                    PublishedAt = table.Column<DateTime>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_change_records", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "delivery_domains",
                columns: table => new
                {
                    Domain = table.Column<string>(type: "TEXT", maxLength: 260, nullable: false),
                    Failures = table.Column<int>(type: "INTEGER", nullable: false),
                    FirstFailureAt = table.Column<DateTime>(type: "TEXT", nullable: true),
                    LastFailureAt = table.Column<DateTime>(type: "TEXT", nullable: true),
                    LastSuccessAt = table.Column<DateTime>(type: "TEXT", nullable: true),
                    PausedUntil = table.Column<DateTime>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_delivery_domains", x => x.Domain);
                });

            migrationBuilder.CreateTable(
                name: "delivery_gone_inboxes",
                columns: table => new
                {
                    Inbox = table.Column<string>(type: "TEXT", maxLength: 2048, nullable: false),
                    GoneAt = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_delivery_gone_inboxes", x => x.Inbox);
                });

            migrationBuilder.CreateTable(
                name: "domain_blocks",
                columns: table => new
                {
                    Domain = table.Column<string>(type: "TEXT", maxLength: 253, nullable: false),
                    Severity = table.Column<int>(type: "INTEGER", nullable: false),
                    Reason = table.Column<string>(type: "TEXT", maxLength: 500, nullable: true),
                    CreatedAt = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_domain_blocks", x => x.Domain);
                });

            migrationBuilder.CreateTable(
                name: "filters",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false),
                    OwnerId = table.Column<long>(type: "INTEGER", nullable: false),
                    Title = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    Contexts = table.Column<int>(type: "INTEGER", nullable: false),
                    Action = table.Column<int>(type: "INTEGER", nullable: false),
                    ExpiresAt = table.Column<DateTime>(type: "TEXT", nullable: true),
                    CreatedAt = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_filters", x => x.Id);
                    table.ForeignKey(
                        name: "FK_filters_accounts_OwnerId",
                        column: x => x.OwnerId,
                        principalTable: "accounts",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "followed_tags",
                columns: table => new
                {
                    AccountId = table.Column<long>(type: "INTEGER", nullable: false),
                    Tag = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    CreatedAt = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_followed_tags", x => new { x.AccountId, x.Tag });
                    table.ForeignKey(
                        name: "FK_followed_tags_accounts_AccountId",
                        column: x => x.AccountId,
                        principalTable: "accounts",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "inbound_activities",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false),
                    ActivityUri = table.Column<string>(type: "TEXT", maxLength: 2048, nullable: false),
                    Type = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    ActorUri = table.Column<string>(type: "TEXT", maxLength: 2048, nullable: false),
                    RecipientId = table.Column<long>(type: "INTEGER", nullable: true),
                    Body = table.Column<string>(type: "TEXT", maxLength: 1048576, nullable: false),
                    ReceivedAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    ProcessedAt = table.Column<DateTime>(type: "TEXT", nullable: true),
                    Outcome = table.Column<string>(type: "TEXT", maxLength: 500, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_inbound_activities", x => x.Id);
                    table.ForeignKey(
                        name: "FK_inbound_activities_accounts_RecipientId",
                        column: x => x.RecipientId,
                        principalTable: "accounts",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.SetNull);
                });

            migrationBuilder.CreateTable(
                name: "inbox_theme_corrections",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false),
                    OrganisationId = table.Column<long>(type: "INTEGER", nullable: false),
                    ItemId = table.Column<long>(type: "INTEGER", nullable: false),
                    FrameworkName = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    ThemeIds = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: false),
                    CorrectedById = table.Column<long>(type: "INTEGER", nullable: false),
                    CorrectedAt = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_inbox_theme_corrections", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "insights_models",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false),
                    OrganisationId = table.Column<long>(type: "INTEGER", nullable: true),
                    FrameworkName = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    FrameworkVersion = table.Column<string>(type: "TEXT", maxLength: 50, nullable: false),
                    FrameworkJson = table.Column<string>(type: "TEXT", nullable: false),
                    DataFileName = table.Column<string>(type: "TEXT", maxLength: 260, nullable: false),
                    DataFile = table.Column<byte[]>(type: "BLOB", nullable: false),
                    DataReadAs = table.Column<string>(type: "TEXT", maxLength: 30, nullable: true),
                    Rows = table.Column<int>(type: "INTEGER", nullable: false),
                    Corrections = table.Column<int>(type: "INTEGER", nullable: false),
                    State = table.Column<int>(type: "INTEGER", nullable: false),
                    Stage = table.Column<string>(type: "TEXT", maxLength: 100, nullable: true),
                    Done = table.Column<int>(type: "INTEGER", nullable: false),
                    Total = table.Column<int>(type: "INTEGER", nullable: false),
                    Error = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: true),
                    QualityJson = table.Column<string>(type: "TEXT", nullable: true),
                    Model = table.Column<byte[]>(type: "BLOB", nullable: true),
                    IsActive = table.Column<bool>(type: "INTEGER", nullable: false),
                    CreatedById = table.Column<long>(type: "INTEGER", nullable: true),
                    CreatedAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    TrainedAt = table.Column<DateTime>(type: "TEXT", nullable: true),
                    ActivatedAt = table.Column<DateTime>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_insights_models", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "lists",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false),
                    OwnerId = table.Column<long>(type: "INTEGER", nullable: false),
                    Title = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    RepliesPolicy = table.Column<int>(type: "INTEGER", nullable: false),
                    Exclusive = table.Column<bool>(type: "INTEGER", nullable: false),
                    CreatedAt = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_lists", x => x.Id);
                    table.ForeignKey(
                        name: "FK_lists_accounts_OwnerId",
                        column: x => x.OwnerId,
                        principalTable: "accounts",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "moderation_actions",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false),
                    ModeratorId = table.Column<long>(type: "INTEGER", nullable: false),
                    Kind = table.Column<int>(type: "INTEGER", nullable: false),
                    AccountId = table.Column<long>(type: "INTEGER", nullable: true),
                    PostId = table.Column<long>(type: "INTEGER", nullable: true),
                    ReportId = table.Column<long>(type: "INTEGER", nullable: true),
                    AppealedActionId = table.Column<long>(type: "INTEGER", nullable: true),
                    RuleId = table.Column<int>(type: "INTEGER", nullable: true),
                    Reason = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: false),
                    HiddenContent = table.Column<string>(type: "TEXT", maxLength: 100000, nullable: true),
                    HiddenTitle = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    HiddenSummary = table.Column<string>(type: "TEXT", maxLength: 500, nullable: true),
                    Public = table.Column<bool>(type: "INTEGER", nullable: false),
                    CreatedAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    ReversedAt = table.Column<DateTime>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_moderation_actions", x => x.Id);
                    table.ForeignKey(
                        name: "FK_moderation_actions_accounts_AccountId",
                        column: x => x.AccountId,
                        principalTable: "accounts",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.SetNull);
                });

            migrationBuilder.CreateTable(
                name: "organisation_listening_settings",
                columns: table => new
                {
                    OrganisationId = table.Column<long>(type: "INTEGER", nullable: false),
                    Nation = table.Column<int>(type: "INTEGER", nullable: false),
                    OpensAtMinute = table.Column<int>(type: "INTEGER", nullable: false),
                    ClosesAtMinute = table.Column<int>(type: "INTEGER", nullable: false),
                    OpenDays = table.Column<int>(type: "INTEGER", nullable: false),
                    ResponseTargetHours = table.Column<int>(type: "INTEGER", nullable: false),
                    WeeklyDigest = table.Column<bool>(type: "INTEGER", nullable: false),
                    LastDigestWeek = table.Column<DateTime>(type: "TEXT", nullable: true),
                    UpdatedAt = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_organisation_listening_settings", x => x.OrganisationId);
                });

            migrationBuilder.CreateTable(
                name: "pins",
                columns: table => new
                {
                    AccountId = table.Column<long>(type: "INTEGER", nullable: false),
                    PostId = table.Column<long>(type: "INTEGER", nullable: false),
                    CreatedAt = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_pins", x => new { x.AccountId, x.PostId });
                    table.ForeignKey(
                        name: "FK_pins_accounts_AccountId",
                        column: x => x.AccountId,
                        principalTable: "accounts",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_pins_posts_PostId",
                        column: x => x.PostId,
                        principalTable: "posts",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "remote_reports",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false),
                    ActivityUri = table.Column<string>(type: "TEXT", maxLength: 2048, nullable: false),
                    ReporterId = table.Column<long>(type: "INTEGER", nullable: true),
                    ReporterUri = table.Column<string>(type: "TEXT", maxLength: 2048, nullable: false),
                    TargetAccountId = table.Column<long>(type: "INTEGER", nullable: true),
                    PostIds = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: false),
                    Comment = table.Column<string>(type: "TEXT", maxLength: 5000, nullable: false),
                    CreatedAt = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_remote_reports", x => x.Id);
                    table.ForeignKey(
                        name: "FK_remote_reports_accounts_ReporterId",
                        column: x => x.ReporterId,
                        principalTable: "accounts",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.SetNull);
                    table.ForeignKey(
                        name: "FK_remote_reports_accounts_TargetAccountId",
                        column: x => x.TargetAccountId,
                        principalTable: "accounts",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "reports",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false),
                    ReporterId = table.Column<long>(type: "INTEGER", nullable: true),
                    OriginDomain = table.Column<string>(type: "TEXT", maxLength: 253, nullable: true),
                    AccountId = table.Column<long>(type: "INTEGER", nullable: false),
                    PostId = table.Column<long>(type: "INTEGER", nullable: true),
                    RuleId = table.Column<int>(type: "INTEGER", nullable: false),
                    Comment = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: false),
                    Status = table.Column<int>(type: "INTEGER", nullable: false),
                    CreatedAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    ResolvedAt = table.Column<DateTime>(type: "TEXT", nullable: true),
                    ResolvedById = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_reports", x => x.Id);
                    table.ForeignKey(
                        name: "FK_reports_accounts_AccountId",
                        column: x => x.AccountId,
                        principalTable: "accounts",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_reports_accounts_ReporterId",
                        column: x => x.ReporterId,
                        principalTable: "accounts",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "server_keys",
                columns: table => new
                {
                    Name = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    PublicKeyPem = table.Column<string>(type: "TEXT", maxLength: 8000, nullable: false),
                    PrivateKeyPem = table.Column<string>(type: "TEXT", maxLength: 8000, nullable: false),
                    KeyId = table.Column<string>(type: "TEXT", maxLength: 2048, nullable: false),
                    CreatedAt = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_server_keys", x => x.Name);
                });

            migrationBuilder.CreateTable(
                name: "timeline_markers",
                columns: table => new
                {
                    AccountId = table.Column<long>(type: "INTEGER", nullable: false),
                    Timeline = table.Column<string>(type: "TEXT", maxLength: 20, nullable: false),
                    LastReadId = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    Version = table.Column<int>(type: "INTEGER", nullable: false),
                    UpdatedAt = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_timeline_markers", x => new { x.AccountId, x.Timeline });
                    table.ForeignKey(
                        name: "FK_timeline_markers_accounts_AccountId",
                        column: x => x.AccountId,
                        principalTable: "accounts",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "two_way_score_consents",
                columns: table => new
                {
                    AccountId = table.Column<long>(type: "INTEGER", nullable: false),
                    PublicSince = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_two_way_score_consents", x => x.AccountId);
                });

            migrationBuilder.CreateTable(
                name: "filter_keywords",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false),
                    FilterId = table.Column<long>(type: "INTEGER", nullable: false),
                    Keyword = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    WholeWord = table.Column<bool>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_filter_keywords", x => x.Id);
                    table.ForeignKey(
                        name: "FK_filter_keywords_filters_FilterId",
                        column: x => x.FilterId,
                        principalTable: "filters",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "list_members",
                columns: table => new
                {
                    ListId = table.Column<long>(type: "INTEGER", nullable: false),
                    AccountId = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_list_members", x => new { x.ListId, x.AccountId });
                    table.ForeignKey(
                        name: "FK_list_members_accounts_AccountId",
                        column: x => x.AccountId,
                        principalTable: "accounts",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_list_members_lists_ListId",
                        column: x => x.ListId,
                        principalTable: "lists",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "appeals",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false),
                    ActionId = table.Column<long>(type: "INTEGER", nullable: false),
                    AccountId = table.Column<long>(type: "INTEGER", nullable: false),
                    Text = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: false),
                    Status = table.Column<int>(type: "INTEGER", nullable: false),
                    CreatedAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    DecidedAt = table.Column<DateTime>(type: "TEXT", nullable: true),
                    DecidedById = table.Column<long>(type: "INTEGER", nullable: true),
                    Response = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_appeals", x => x.Id);
                    table.ForeignKey(
                        name: "FK_appeals_accounts_AccountId",
                        column: x => x.AccountId,
                        principalTable: "accounts",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_appeals_moderation_actions_ActionId",
                        column: x => x.ActionId,
                        principalTable: "moderation_actions",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_jobs_Queue_RunAt",
                table: "jobs",
                columns: new[] { "Queue", "RunAt" },
                filter: "\"CompletedAt\" IS NULL AND \"FailedAt\" IS NULL");

            migrationBuilder.CreateIndex(
                name: "IX_inbox_items_OrganisationId_ClassifiedAt_Id",
                table: "inbox_items",
                columns: new[] { "OrganisationId", "ClassifiedAt", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_inbox_items_OrganisationId_State_Critical_Id",
                table: "inbox_items",
                columns: new[] { "OrganisationId", "State", "Critical", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_inbox_items_OrganisationId_Theme_State_Critical_Id",
                table: "inbox_items",
                columns: new[] { "OrganisationId", "Theme", "State", "Critical", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_accounts_MovedToAccountId",
                table: "accounts",
                column: "MovedToAccountId");

            migrationBuilder.CreateIndex(
                name: "IX_accounts_PublicKeyId",
                table: "accounts",
                column: "PublicKeyId");

            migrationBuilder.CreateIndex(
                name: "IX_account_notes_TargetId",
                table: "account_notes",
                column: "TargetId");

            migrationBuilder.CreateIndex(
                name: "IX_appeals_AccountId",
                table: "appeals",
                column: "AccountId");

            migrationBuilder.CreateIndex(
                name: "IX_appeals_ActionId",
                table: "appeals",
                column: "ActionId",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_appeals_Status_Id",
                table: "appeals",
                columns: new[] { "Status", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_bookmarks_PostId",
                table: "bookmarks",
                column: "PostId");

            migrationBuilder.CreateIndex(
                name: "IX_change_record_items_ItemId",
                table: "change_record_items",
                column: "ItemId");

            migrationBuilder.CreateIndex(
                name: "IX_change_records_OrganisationId_Review_PublishedAt",
                table: "change_records",
                columns: new[] { "OrganisationId", "Review", "PublishedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_filter_keywords_FilterId",
                table: "filter_keywords",
                column: "FilterId");

            migrationBuilder.CreateIndex(
                name: "IX_filters_OwnerId",
                table: "filters",
                column: "OwnerId");

            migrationBuilder.CreateIndex(
                name: "IX_inbound_activities_ActivityUri",
                table: "inbound_activities",
                column: "ActivityUri",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_inbound_activities_ReceivedAt",
                table: "inbound_activities",
                column: "ReceivedAt");

            migrationBuilder.CreateIndex(
                name: "IX_inbound_activities_RecipientId",
                table: "inbound_activities",
                column: "RecipientId");

            migrationBuilder.CreateIndex(
                name: "IX_inbox_theme_corrections_OrganisationId_ItemId_Id",
                table: "inbox_theme_corrections",
                columns: new[] { "OrganisationId", "ItemId", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_insights_models_OrganisationId_Id",
                table: "insights_models",
                columns: new[] { "OrganisationId", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_insights_models_OrganisationId_IsActive",
                table: "insights_models",
                columns: new[] { "OrganisationId", "IsActive" });

            migrationBuilder.CreateIndex(
                name: "IX_list_members_AccountId",
                table: "list_members",
                column: "AccountId");

            migrationBuilder.CreateIndex(
                name: "IX_lists_OwnerId",
                table: "lists",
                column: "OwnerId");

            migrationBuilder.CreateIndex(
                name: "IX_moderation_actions_AccountId",
                table: "moderation_actions",
                column: "AccountId");

            migrationBuilder.CreateIndex(
                name: "IX_moderation_actions_Public_Id",
                table: "moderation_actions",
                columns: new[] { "Public", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_pins_PostId",
                table: "pins",
                column: "PostId");

            migrationBuilder.CreateIndex(
                name: "IX_remote_reports_ActivityUri",
                table: "remote_reports",
                column: "ActivityUri",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_remote_reports_ReporterId",
                table: "remote_reports",
                column: "ReporterId");

            migrationBuilder.CreateIndex(
                name: "IX_remote_reports_TargetAccountId",
                table: "remote_reports",
                column: "TargetAccountId");

            migrationBuilder.CreateIndex(
                name: "IX_reports_AccountId",
                table: "reports",
                column: "AccountId");

            migrationBuilder.CreateIndex(
                name: "IX_reports_ReporterId",
                table: "reports",
                column: "ReporterId");

            migrationBuilder.CreateIndex(
                name: "IX_reports_Status_Id",
                table: "reports",
                columns: new[] { "Status", "Id" });

            migrationBuilder.AddForeignKey(
                name: "FK_accounts_accounts_MovedToAccountId",
                table: "accounts",
                column: "MovedToAccountId",
                principalTable: "accounts",
                principalColumn: "Id",
                onDelete: ReferentialAction.SetNull);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropForeignKey(
                name: "FK_accounts_accounts_MovedToAccountId",
                table: "accounts");

            migrationBuilder.DropTable(
                name: "account_notes");

            migrationBuilder.DropTable(
                name: "appeals");

            migrationBuilder.DropTable(
                name: "bookmarks");

            migrationBuilder.DropTable(
                name: "change_record_items");

            migrationBuilder.DropTable(
                name: "change_records");

            migrationBuilder.DropTable(
                name: "delivery_domains");

            migrationBuilder.DropTable(
                name: "delivery_gone_inboxes");

            migrationBuilder.DropTable(
                name: "domain_blocks");

            migrationBuilder.DropTable(
                name: "filter_keywords");

            migrationBuilder.DropTable(
                name: "followed_tags");

            migrationBuilder.DropTable(
                name: "inbound_activities");

            migrationBuilder.DropTable(
                name: "inbox_theme_corrections");

            migrationBuilder.DropTable(
                name: "insights_models");

            migrationBuilder.DropTable(
                name: "list_members");

            migrationBuilder.DropTable(
                name: "organisation_listening_settings");

            migrationBuilder.DropTable(
                name: "pins");

            migrationBuilder.DropTable(
                name: "remote_reports");

            migrationBuilder.DropTable(
                name: "reports");

            migrationBuilder.DropTable(
                name: "server_keys");

            migrationBuilder.DropTable(
                name: "timeline_markers");

            migrationBuilder.DropTable(
                name: "two_way_score_consents");

            migrationBuilder.DropTable(
                name: "moderation_actions");

            migrationBuilder.DropTable(
                name: "filters");

            migrationBuilder.DropTable(
                name: "lists");

            migrationBuilder.DropIndex(
                name: "IX_jobs_Queue_RunAt",
                table: "jobs");

            migrationBuilder.DropIndex(
                name: "IX_inbox_items_OrganisationId_ClassifiedAt_Id",
                table: "inbox_items");

            migrationBuilder.DropIndex(
                name: "IX_inbox_items_OrganisationId_State_Critical_Id",
                table: "inbox_items");

            migrationBuilder.DropIndex(
                name: "IX_inbox_items_OrganisationId_Theme_State_Critical_Id",
                table: "inbox_items");

            migrationBuilder.DropIndex(
                name: "IX_accounts_MovedToAccountId",
                table: "accounts");

            migrationBuilder.DropIndex(
                name: "IX_accounts_PublicKeyId",
                table: "accounts");

            migrationBuilder.DropColumn(
                name: "RemovalRuleId",
                table: "posts");

            migrationBuilder.DropColumn(
                name: "RemovedByModerator",
                table: "posts");

            migrationBuilder.DropColumn(
                name: "Queue",
                table: "jobs");

            migrationBuilder.DropColumn(
                name: "ClassifiedAt",
                table: "inbox_items");

            migrationBuilder.DropColumn(
                name: "ClassifiedByModelId",
                table: "inbox_items");

            migrationBuilder.DropColumn(
                name: "ThemeCorrected",
                table: "inbox_items");

            migrationBuilder.DropColumn(
                name: "Themes",
                table: "inbox_items");

            migrationBuilder.DropColumn(
                name: "AvatarUrl",
                table: "accounts");

            migrationBuilder.DropColumn(
                name: "HeaderMediaId",
                table: "accounts");

            migrationBuilder.DropColumn(
                name: "HeaderUrl",
                table: "accounts");

            migrationBuilder.DropColumn(
                name: "LimitedAt",
                table: "accounts");

            migrationBuilder.DropColumn(
                name: "MovedToAccountId",
                table: "accounts");

            migrationBuilder.DropColumn(
                name: "ReplyPolicy",
                table: "accounts");

            migrationBuilder.DropColumn(
                name: "ReplyPolicyReason",
                table: "accounts");

            migrationBuilder.DropColumn(
                name: "SuspendedAt",
                table: "accounts");

            migrationBuilder.CreateIndex(
                name: "IX_inbox_items_OrganisationId_State_Id",
                table: "inbox_items",
                columns: new[] { "OrganisationId", "State", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_inbox_items_OrganisationId_Theme_Id",
                table: "inbox_items",
                columns: new[] { "OrganisationId", "Theme", "Id" });
        }
    }
}
