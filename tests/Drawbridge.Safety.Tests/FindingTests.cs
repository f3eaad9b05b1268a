namespace Drawbridge.Safety.Tests;

public sealed class FindingTests
{
    private static readonly SafetyContext Nov2025 = new() { Today = new DateOnly(2025, 11, 26) };

    [Fact]
    public void Every_finding_explains_itself_and_suggests_a_fix()
    {
        var text = "Mrs Okafor, DOB 12/03/1950, 14 Acacia Avenue LS6 2QT, 07700 900123, jo@example.com. You should stop your sertraline. It's a miracle cure!";
        var findings = SafetyChecker.Check(text, Nov2025 with { HasImages = true });
        var rules = findings.Select(f => f.Rule).ToHashSet();
        Assert.Superset(rules, new HashSet<string>
        {
            SafetyRules.PersonName, SafetyRules.DateOfBirth, SafetyRules.Address, SafetyRules.Postcode, SafetyRules.Phone,
            SafetyRules.Email, SafetyRules.IndividualAdvice, SafetyRules.OneSidedClaim, SafetyRules.ImageConsent,
        });
        Assert.All(findings, f =>
        {
            Assert.False(string.IsNullOrWhiteSpace(f.Message));
            Assert.False(string.IsNullOrWhiteSpace(f.Suggestion));
            Assert.InRange(f.Start, 0, text.Length);
            Assert.InRange(f.End, f.Start, text.Length);
        });
        Assert.Equal(findings.OrderBy(f => f.Start).ThenBy(f => f.End), findings);
    }

    [Fact]
    public void A_post_with_images_gets_a_consent_nudge_that_never_blocks()
    {
        var f = Assert.Single(SafetyChecker.Check("Our new garden!", new SafetyContext { HasImages = true }));
        Assert.Equal(SafetyRules.ImageConsent, f.Rule);
        Assert.Equal(Severity.Nudge, f.Severity);
        Assert.Empty(SafetyChecker.Check("Our new garden!"));
    }

    [Fact]
    public void Severities_decide_what_publishing_needs()
    {
        Assert.True(SafetyChecker.Check("NHS number 943 476 5919").BlocksPublication());
        var warnOnly = SafetyChecker.Check("Email me at jo@example.com");
        Assert.False(warnOnly.BlocksPublication());
        Assert.True(warnOnly.NeedsConfirmation());
        var nudgeOnly = SafetyChecker.Check("This is a miracle cure.");
        Assert.False(nudgeOnly.BlocksPublication());
        Assert.False(nudgeOnly.NeedsConfirmation());
    }

    [Fact]
    public void A_name_alone_is_a_warning_but_with_clinical_details_and_a_place_it_blocks()
    {
        var alone = Assert.Single(SafetyChecker.Check("Lovely chat with Priya Sharma today."));
        Assert.Equal(Severity.Warn, alone.Severity);
        var jigsaw = SafetyChecker.Check("Priya Sharma in bay 4 had a stroke last night.");
        Assert.Equal(Severity.Block, Assert.Single(jigsaw, f => f.Rule == SafetyRules.PersonName).Severity);
    }

    [Fact]
    public void A_relationship_with_a_condition_and_a_time_or_place_is_a_jigsaw_that_blocks()
    {
        var text = "My neighbour's daughter was admitted to ICU last night with meningitis.";
        var f = Assert.Single(SafetyChecker.Check(text), x => x.Rule == SafetyRules.PersonName);
        Assert.Equal("My neighbour's daughter", f.Excerpt(text));
        Assert.Equal(Severity.Block, f.Severity);
        Assert.DoesNotContain(SafetyChecker.Check("My colleague gave a brilliant talk on sepsis today."), x => x.Rule == SafetyRules.PersonName);
        Assert.DoesNotContain(SafetyChecker.Check("My mum says thank you to the whole team."), x => x.Rule == SafetyRules.PersonName);
    }

    [Theory]
    [InlineData("Thanks to Chidinma Okeke for covering.", "Chidinma Okeke")]
    [InlineData("Thanks to Oluwafemi Adeniran for covering.", "Oluwafemi Adeniran")]
    [InlineData("Spoke to Mr Nguyen about it.", "Mr Nguyen")]
    [InlineData("Zofia Wiśniewska ran the clinic.", "Zofia Wiśniewska")]
    [InlineData("Met a lovely lady called Aroha at the bus stop.", "Aroha")]
    [InlineData("Ayşe Yılmaz translated for us.", "Ayşe Yılmaz")]
    [InlineData("Proud of Siobhán and Dafydd today.", "Siobhán")]
    public void Names_from_many_cultures_are_found(string text, string name)
    {
        var f = Assert.Single(SafetyChecker.Check(text), x => x.Rule == SafetyRules.PersonName && x.Excerpt(text) == name);
        Assert.Equal(Severity.Warn, f.Severity);
    }

    [Theory]
    [InlineData("St Thomas' Hospital has a new ward.")]
    [InlineData("Sertraline can take weeks to work.")]
    [InlineData("May is Mental Health Awareness Month.")]
    [InlineData("Hope you're all well. Grace under pressure!")]
    [InlineData("Leeds, Bradford and Wakefield teams joined.")]
    [InlineData("Florence Nightingale would be proud.")]
    public void Places_drugs_months_and_public_figures_are_not_names(string text)
    {
        Assert.DoesNotContain(SafetyChecker.Check(text), f => f.Rule == SafetyRules.PersonName);
    }

    [Theory]
    [InlineData("you should stop your sertraline if it makes you feel worse")]
    [InlineData("Take 400mg ibuprofen three times a day.")]
    [InlineData("If I were you I'd stop taking it.")]
    public void Advice_to_one_person_about_their_treatment_is_a_warning(string text)
    {
        var f = Assert.Single(SafetyChecker.Check(text), x => x.Rule == SafetyRules.IndividualAdvice);
        Assert.Equal(Severity.Warn, f.Severity);
        Assert.Contains("111", f.Suggestion, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Ibuprofen can irritate the stomach.")]
    [InlineData("You should see your GP if a cough lasts more than three weeks.")]
    [InlineData("If you're unsure about your medication, speak to a pharmacist or call NHS 111.")]
    [InlineData("Take care of yourselves this winter.")]
    [InlineData("If you take warfarin, avoid cranberry juice.")]
    [InlineData("You should never stop taking steroids suddenly.")]
    public void General_information_and_signposting_are_not_advice(string text)
    {
        Assert.DoesNotContain(SafetyChecker.Check(text), f => f.Rule == SafetyRules.IndividualAdvice);
    }

    [Fact]
    public void A_strong_claim_that_mentions_a_limitation_gets_no_nudge()
    {
        Assert.Contains(SafetyChecker.Check("This cream is 100% safe."), f => f.Rule == SafetyRules.OneSidedClaim);
        Assert.DoesNotContain(SafetyChecker.Check("This cream is 100% safe for most skin, but some people get a rash."), f => f.Rule == SafetyRules.OneSidedClaim);
        Assert.DoesNotContain(SafetyChecker.Check("There is no cure for dementia yet."), f => f.Rule == SafetyRules.OneSidedClaim);
    }

    [Fact]
    public void A_date_with_an_age_that_fits_is_a_date_of_birth_but_an_event_date_is_not()
    {
        var text = "Mum is 75, 02/05/1950, and still gardening.";
        var f = Assert.Single(SafetyChecker.Check(text, Nov2025), x => x.Rule == SafetyRules.DateOfBirth);
        Assert.Equal("02/05/1950", f.Excerpt(text));
        Assert.DoesNotContain(SafetyChecker.Check("A 45-year-old came to clinic on 12 March 2024.", Nov2025),
            x => x.Rule == SafetyRules.DateOfBirth);
        Assert.Empty(SafetyChecker.Check("Our flu clinic is on 12/10/2025.", Nov2025));
    }

    [Theory]
    [InlineData("Call 111 or 999 in an emergency. Samaritans: 116 123.")]
    [InlineData("Our helpline is 0300 123 7000; freephone 0800 22 44 88.")]
    [InlineData("Please call the ward on 0161 276 1234 for updates.")]
    public void Short_codes_and_service_numbers_are_not_personal_phone_numbers(string text)
    {
        Assert.DoesNotContain(SafetyChecker.Check(text), f => f.Rule == SafetyRules.Phone);
    }

    [Theory]
    [InlineData("Ring me on 07700 900123", "07700 900123")]
    [InlineData("Her number is +44 (0)7700 900 321 now", "+44 (0)7700 900 321")]
    [InlineData("My brother: +33 6 12 34 56 78", "+33 6 12 34 56 78")]
    [InlineData("Home phone 0113 496 0123 after six", "0113 496 0123")]
    public void Personal_phone_numbers_are_found(string text, string number)
    {
        var f = Assert.Single(SafetyChecker.Check(text), x => x.Rule == SafetyRules.Phone);
        Assert.Equal(number, f.Excerpt(text));
    }

    [Fact]
    public void A_fediverse_handle_is_not_an_email_address()
    {
        Assert.Empty(SafetyChecker.Check("Great thread by @nurse_jo@mastodon.social today"));
        var text = "email nurse.jo@example.org";
        Assert.Equal("nurse.jo@example.org", Assert.Single(SafetyChecker.Check(text)).Excerpt(text));
    }

    [Fact]
    public void Offsets_count_utf16_code_units_past_emoji()
    {
        var text = "🎉🎉 NHS 943 476 5919";
        var f = Assert.Single(SafetyChecker.Check(text));
        Assert.Equal(9, f.Start);
        Assert.Equal("943 476 5919", f.Excerpt(text));
    }

    [Fact]
    public void Null_text_is_refused_with_the_parameter_named()
    {
        var ex = Assert.Throws<ArgumentNullException>(() => SafetyChecker.Check(null!));
        Assert.Equal("text", ex.ParamName);
    }
}
