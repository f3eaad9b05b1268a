namespace Drawbridge.Safety.Tests;

public sealed class PatientNumberTests
{
    private static IReadOnlyList<SafetyFinding> Check(string text) => SafetyChecker.Check(text);

    [Theory]
    [InlineData("943 476 5919")]
    [InlineData("943-476-5919")]
    [InlineData("9434765919")]
    [InlineData("943 4765919")]
    public void An_nhs_number_is_blocked_however_it_is_grouped(string number)
    {
        var text = $"My NHS number is {number}, can you help?";
        var f = Assert.Single(Check(text));
        Assert.Equal(SafetyRules.NhsNumber, f.Rule);
        Assert.Equal(Severity.Block, f.Severity);
        Assert.Equal(number, f.Excerpt(text));
        Assert.True(f.IsIdentifier);
    }

    [Theory]
    [InlineData("943 476 5918")]
    [InlineData("123 456 7890")]
    [InlineData("450 555 1238")]
    public void Ten_digits_that_fail_the_check_are_not_an_nhs_number(string number)
    {
        Assert.Empty(Check($"Reference {number} for the audit."));
    }

    [Fact]
    public void A_number_whose_check_digit_would_be_ten_is_never_valid()
    {
        // 1000000060: weights give 10*1 + 3*6 = 28, 11 - 28 % 11 = 5; pick nine digits whose check is 10.
        // 000 000 001 -> sum 2, 11 - 2 = 9; 000 000 010 -> 3 -> 8; 100 000 000 -> 10 -> 1; 000 000 050 -> 15 % 11 = 4 -> 7.
        // 000 000 100 -> 4 -> 7 ... 000 000 005 -> 10 -> 1; 000 000 006 -> 12 % 11 = 1 -> 10: never issued.
        Span<int> digits = [0, 0, 0, 0, 0, 0, 0, 0, 6, 0];
        for (var check = 0; check < 10; check++)
        {
            digits[9] = check;
            Assert.False(Rules.PatientNumbers.Mod11(digits));
        }
    }

    [Fact]
    public void A_chi_number_needs_a_real_date_of_birth_in_its_first_six_digits()
    {
        var f = Assert.Single(Check("CHI 0101011237"));
        Assert.Equal(SafetyRules.ChiNumber, f.Rule);
        // 31 February is no date: the same digits pattern cannot be a CHI number.
        Assert.DoesNotContain(Check("CHI 3102011237"), x => x.Rule == SafetyRules.ChiNumber);
    }

    [Fact]
    public void A_chi_number_with_the_newer_modulus_10_check_digit_is_found()
    {
        // 1710378116 fails Modulus 11 but passes Modulus 10 (Luhn), as newer CHI numbers do.
        Span<int> d = [1, 7, 1, 0, 3, 7, 8, 1, 1, 6];
        Assert.False(Rules.PatientNumbers.Mod11(d));
        Assert.True(Rules.PatientNumbers.Luhn(d));
        var f = Assert.Single(Check("My new CHI is 171037 8116."));
        Assert.Equal(SafetyRules.ChiNumber, f.Rule);
        Assert.Equal(Severity.Block, f.Severity);
    }

    [Fact]
    public void A_northern_ireland_health_and_care_number_is_found_by_its_range_or_its_name()
    {
        Assert.Equal(SafetyRules.HealthAndCareNumber, Assert.Single(Check("327 511 6371 is mine")).Rule);
        Assert.Equal(SafetyRules.HealthAndCareNumber, Assert.Single(Check("My H&C number: 3365167617")).Rule);
    }

    [Fact]
    public void A_phone_number_with_a_country_code_is_not_a_patient_number()
    {
        var findings = Check("WhatsApp me on +1 415 555 2671 tonight");
        Assert.DoesNotContain(findings, f => f.IsIdentifier);
        Assert.Contains(findings, f => f.Rule == SafetyRules.Phone);
    }

    [Theory]
    [InlineData("Updated to 10.0.401 today, and 1.943.476.5919 is not a thing.")]
    [InlineData("We vaccinated 1,234,567 people; population 2 345 678.")]
    [InlineData("Order A9434765919 shipped.")]
    public void Version_numbers_counts_and_codes_are_not_patient_numbers(string text)
    {
        Assert.DoesNotContain(Check(text), f => f.IsIdentifier);
    }

    [Fact]
    public void A_hospital_number_is_found_by_the_words_that_introduce_it()
    {
        var text = "Pt handed over with hospital number RX1234567 and no wristband.";
        var f = Assert.Single(Check(text), x => x.Rule == SafetyRules.HospitalNumber);
        Assert.Equal("RX1234567", f.Excerpt(text));
        Assert.Equal(Severity.Block, f.Severity);
        Assert.Empty(Check("Ward 7 was lovely, bed 12 has a view of the park."));
    }

    [Fact]
    public void The_host_can_tell_whether_a_reply_contains_the_authors_own_identifier()
    {
        Assert.True(SafetyChecker.ContainsIdentifier("Why was my appointment cancelled? NHS no 943 476 5919"));
        Assert.False(SafetyChecker.ContainsIdentifier("Why was my appointment cancelled? Call me on 07700 900123"));
    }
}
