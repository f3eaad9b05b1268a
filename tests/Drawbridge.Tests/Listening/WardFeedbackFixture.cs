using System.Globalization;
using System.Text;

namespace Drawbridge.Tests.Listening;

/// <summary>
/// A small framework (four themes, a five-point rating) and labelled comments put together from phrases written for
/// each theme, good and bad, so a real model learns it in seconds. The development data belong to the benchmarks.
/// </summary>
internal static class WardFeedbackFixture
{
    public const string FrameworkJson = """
        {
          "name": "Ward feedback",
          "version": "1",
          "idColumn": "id",
          "textColumn": "comment",
          "themes": [
            { "id": "food", "name": "Food", "column": "food" },
            { "id": "parking", "name": "Parking", "column": "parking" },
            { "id": "staff", "name": "Staff attitude", "column": "staff" },
            { "id": "waiting", "name": "Waiting times", "column": "waiting" }
          ],
          "sentiment": { "column": "rating", "min": 1, "max": 5, "mostPositive": 5 },
          "contextColumns": []
        }
        """;

    private static readonly (string Theme, string[] Good, string[] Bad)[] Phrases =
    [
        ("food",
            ["the food was hot and tasty", "lovely meals with lots of choice", "the breakfast was delicious", "good food and plenty of drinks", "the soup was fresh and hot", "tasty dinners every day"],
            ["the food was cold and bland", "awful meals and no choice", "the dinner was inedible", "the food arrived cold again", "horrible soggy sandwiches", "the meals tasted of nothing"]),
        ("parking",
            ["parking was easy and close", "plenty of spaces in the car park", "free parking for visitors", "the car park was never full", "easy to find a parking space", "parking near the entrance was simple"],
            ["the car park was full for an hour", "parking charges are far too high", "no parking spaces anywhere", "I drove round the car park for ages", "the parking machine took my money", "impossible to park near the clinic"]),
        ("staff",
            ["the nurses were kind and caring", "the staff were friendly and polite", "a lovely warm receptionist", "the doctor was gentle and patient", "staff were cheerful and helpful", "the healthcare assistant was so kind"],
            ["the nurse was rude and dismissive", "the receptionist was unfriendly and abrupt", "staff were sarcastic with my mother", "the doctor was arrogant and cold", "one nurse shouted at us", "the staff were impatient and rude"]),
        ("waiting",
            ["we were seen within minutes", "hardly any wait at the clinic", "the appointment ran on time", "seen quickly in the emergency department", "no waiting around at all", "the referral came through fast"],
            ["we waited four hours to be seen", "the clinic ran two hours late", "the waiting list is months long", "hours in the waiting room", "we waited all afternoon for a doctor", "the appointment was delayed again"]),
    ];

    private static readonly string[] Openings = ["", "Honestly, ", "On Monday ", "My dad said ", "This week "];

    /// <summary>The labelled CSV: each phrase once good and once bad with an opening, and a few comments on two themes.</summary>
    public static string Csv()
    {
        var b = new StringBuilder("id,comment,food,parking,staff,waiting,rating\n");
        var n = 0;
        void Row(string text, IReadOnlyCollection<string> themes, int rating)
        {
            n++;
            b.Append(CultureInfo.InvariantCulture, $"r{n},\"{text}\",");
            foreach (var t in new[] { "food", "parking", "staff", "waiting" })
            {
                b.Append(themes.Contains(t) ? "1," : "0,");
            }
            b.Append(rating.ToString(CultureInfo.InvariantCulture)).Append('\n');
        }
        for (var p = 0; p < Phrases.Length; p++)
        {
            var (theme, good, bad) = Phrases[p];
            for (var i = 0; i < good.Length; i++)
            {
                Row(Sentence(Openings[(i + p) % Openings.Length], good[i]), [theme], 5 - (i % 2));
                Row(Sentence(Openings[(i + p + 2) % Openings.Length], bad[i]), [theme], 1 + (i % 2));
            }
        }
        for (var p = 0; p < Phrases.Length; p++)
        {
            var other = Phrases[(p + 1) % Phrases.Length];
            for (var i = 0; i < 3; i++)
            {
                Row(Sentence("", $"{Phrases[p].Bad[i]} and {other.Bad[(i + 3) % 6]}"), [Phrases[p].Theme, other.Theme], 1);
            }
        }
        return b.ToString();
    }

    private static string Sentence(string opening, string phrase)
    {
        var text = opening + phrase;
        return char.ToUpperInvariant(text[0]) + text[1..] + ".";
    }
}
