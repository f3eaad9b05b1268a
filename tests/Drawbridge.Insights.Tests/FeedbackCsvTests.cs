using Drawbridge.Insights;

namespace Drawbridge.Insights.Tests;

public sealed class FeedbackCsvTests
{
    private static readonly Framework MultiLabel = Framework.Parse("""
        {"name": "t", "version": "1", "idColumn": "Comment ID", "textColumn": "FFT answer",
         "themes": [{"id": "staff", "column": "Staff, manner"}, {"id": "wait", "column": "Waiting"}],
         "sentiment": {"column": "Comment sentiment", "min": 1, "max": 5, "mostPositive": 1}}
        """);

    private static FeedbackData Read(string csv, Framework framework, bool labelled = true) =>
        FeedbackCsv.Read(new StringReader(csv), framework, labelled);

    [Fact]
    public void Quoted_fields_embedded_newlines_and_commas_in_column_names_are_read()
    {
        var data = Read("""
            "Comment ID","FFT answer","Staff, manner",Waiting,"Comment sentiment"
            a1,"Nurses were kind, ""really"" kind
            and quick",1,0,1
            a2,Waited four hours,0,1,5
            """, MultiLabel);
        Assert.Equal(2, data.Rows.Count);
        Assert.Equal("Nurses were kind, \"really\" kind\nand quick", data.Rows[0].Text.ReplaceLineEndings("\n"));
        Assert.Equal([0], data.Rows[0].Themes);
        Assert.Equal([1], data.Rows[1].Themes);
        Assert.Equal(5, data.Rows[1].Sentiment);
        Assert.Equal(4, data.Rows[1].Line);
        Assert.Empty(data.Issues);
    }

    [Fact]
    public void A_file_saved_by_Excel_in_Windows_1252_reads_its_quotes_pounds_and_accents_and_says_so()
    {
        const string csv = "\"Comment ID\",\"FFT answer\"\r\n1,The nurse didn\u2019t listen \u2013 \u00a34 to park at the caf\u00e9\r\n";
        var excel = TestData.TempFile("excel.csv");
        System.Text.Encoding.RegisterProvider(System.Text.CodePagesEncodingProvider.Instance);
        File.WriteAllBytes(excel, System.Text.Encoding.GetEncoding(1252).GetBytes(csv));
        var utf8 = TestData.TempFile("utf8.csv");
        File.WriteAllText(utf8, csv); // UTF-8 without a byte-order mark
        var bom = TestData.TempFile("bom.csv");
        File.WriteAllText(bom, csv, new System.Text.UTF8Encoding(encoderShouldEmitUTF8Identifier: true));

        const string expected = "The nurse didn\u2019t listen \u2013 \u00a34 to park at the caf\u00e9";
        var fromExcel = FeedbackCsv.ReadUnlabelled(excel, MultiLabel);
        Assert.Equal(expected, Assert.Single(fromExcel.Rows).Text);
        Assert.Equal("Windows-1252", fromExcel.ReadAs);
        foreach (var path in new[] { utf8, bom })
        {
            var data = FeedbackCsv.ReadUnlabelled(path, MultiLabel);
            Assert.Equal(expected, Assert.Single(data.Rows).Text);
            Assert.Null(data.ReadAs);
        }
    }

    [Fact]
    public void Semicolon_and_tab_separated_files_are_read_as_their_header_shows()
    {
        (string Name, string Content)[] files =
        [
            // Excel where the comma is the decimal mark; a comma in a quoted column name or in a comment is no separator.
            ("semicolons.csv", "\"Comment ID\";\"FFT answer\";\"Staff, manner\";Waiting;\"Comment sentiment\"\na1;\"Kind, quick staff\";1;0;1\na2;Waited 4,5 hours;0;1;5\n"),
            ("tabs.txt", "Comment ID\tFFT answer\t\"Staff, manner\"\tWaiting\tComment sentiment\na1\tKind, quick staff\t1\t0\t1\na2\tWaited 4,5 hours\t0\t1\t5\n"),
            ("commas.csv", "\"Comment ID\",\"FFT answer\",\"Staff, manner\",Waiting,\"Comment sentiment\"\na1,\"Kind, quick staff\",1,0,1\na2,\"Waited 4,5 hours\",0,1,5\n"),
        ];
        foreach (var (name, content) in files)
        {
            var path = TestData.TempFile(name);
            File.WriteAllText(path, content);
            var data = FeedbackCsv.ReadLabelled(path, MultiLabel);
            Assert.Equal(["Kind, quick staff", "Waited 4,5 hours"], data.Rows.Select(r => r.Text));
            Assert.Equal([0], data.Rows[0].Themes);
            Assert.Equal([1], data.Rows[1].Themes);
            Assert.Equal(5, data.Rows[1].Sentiment);
            Assert.Empty(data.Issues);
        }
    }

    [Fact]
    public void An_Excel_workbook_given_for_a_CSV_file_is_refused_with_what_to_do()
    {
        // An .xlsx file is a zip archive; an old .xls file a compound document.
        var xlsx = TestData.TempFile("feedback.xlsx");
        using (var archive = System.IO.Compression.ZipFile.Open(xlsx, System.IO.Compression.ZipArchiveMode.Create))
        {
            using var entry = new StreamWriter(archive.CreateEntry("xl/workbook.xml").Open());
            entry.Write("<workbook/>");
        }
        var xls = TestData.TempFile("feedback.xls");
        File.WriteAllBytes(xls, [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 0, 0, 0, 0]);
        foreach (var path in new[] { xlsx, xls })
        {
            var error = Assert.Throws<InsightsException>(() => FeedbackCsv.ReadUnlabelled(path, MultiLabel));
            Assert.Contains("is a spreadsheet workbook", error.Message, StringComparison.Ordinal);
            Assert.Contains("CSV UTF-8 (Comma delimited)", error.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void A_missing_column_is_an_error_naming_it()
    {
        var error = Assert.Throws<InsightsException>(() => Read("""
            "Comment ID","FFT answer","Staff, manner","Comment sentiment"
            a1,text,1,1
            """, MultiLabel));
        Assert.Contains("missing column 'Waiting'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Unlabelled_reading_needs_only_the_text_and_id_columns()
    {
        var data = Read("""
            "FFT answer","Comment ID"
            hello,7
            """, MultiLabel, labelled: false);
        Assert.Equal("7", Assert.Single(data.Rows).Id);
    }

    [Fact]
    public void Rows_with_empty_text_are_skipped_and_counted()
    {
        var data = Read("""
            "Comment ID","FFT answer","Staff, manner",Waiting,"Comment sentiment"
            a1,,1,0,1
            a2,"   ",1,0,1
            a3,fine,0,0,2
            """, MultiLabel);
        Assert.Equal(2, data.SkippedEmpty);
        Assert.Equal("a3", Assert.Single(data.Rows).Id);
    }

    [Fact]
    public void Dirty_labels_are_reported_with_line_numbers_and_the_rows_kept()
    {
        var framework = TestData.Categories;
        var data = Read("""
            code,label,subcategory,feedback,criticality,organization,question,row_index
            xn,Staff,Attitude Of Staff,"Lovely
            staff",-o,Trust A,Q1,0
            xn,Access,Parking,Nowhere to park,NA,Trust A,Q1,1
            xn,Unknown thing,x,Something else,7,Trust A,Q1,2
            xn,Staff,x,Kind nurses,3,Trust A,Q1,3
            """, framework);
        Assert.Equal(4, data.Rows.Count);
        Assert.Contains(data.Issues, i => i.Line == 2 && i.Column == "criticality" && i.Value == "-o");
        Assert.Contains(data.Issues, i => i.Line == 4 && i.Column == "criticality" && i.Value == "NA");
        Assert.Contains(data.Issues, i => i.Line == 5 && i.Column == "criticality" && i.Value == "7");
        Assert.Contains(data.Issues, i => i.Line == 5 && i.Column == "label" && i.Value == "Unknown thing");
        Assert.Null(data.Rows[0].Sentiment);
        Assert.Equal(3, data.Rows[3].Sentiment);
        Assert.Contains("line 2, column 'criticality'", data.Issues.First(i => i.Line == 2).ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_file_in_the_development_data_layout_reads_with_its_dirty_criticality_values_reported()
    {
        var data = FeedbackCsv.ReadLabelled(TestData.TextData, TestData.Subcategories);
        Assert.Equal(FeedbackFixture.Rows, data.Rows.Count + data.SkippedEmpty);
        Assert.Equal(FeedbackFixture.EmptyRows, data.SkippedEmpty);
        Assert.DoesNotContain(data.Issues, i => i.Column == "subcategory");
        var dirty = data.Issues.Where(i => i.Column == "criticality").ToList();
        Assert.Contains(dirty, i => i.Value == "-o");
        Assert.Contains(dirty, i => i.Value == "NA");
        Assert.All(dirty, i => Assert.True(i.Line > 1));
    }
}
