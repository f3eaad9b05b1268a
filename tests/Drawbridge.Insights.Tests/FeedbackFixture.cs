using System.Globalization;
using System.Text;

namespace Drawbridge.Insights.Tests;

/// <summary>
/// A generated feedback file in the layout of the phase 1 development data (code, label, subcategory, feedback,
/// criticality, organization, question, row_index), so the tests run on a clone of the repository alone. Comments are
/// put together from phrases written for each subcategory, positive or negative, so a theme and a sentiment can be
/// learned from the words; organisation and question vary independently of the labels (context, not labels). A few
/// rows carry the dirty values the real exports have (criticality "-o" and "NA", empty comments).
/// The checks against the full development data run in the insights bench (<c>--check</c>).
/// </summary>
internal static class FeedbackFixture
{
    public const int Rows = 4000;

    /// <summary>Rows whose feedback is empty: the reader skips them.</summary>
    public const int EmptyRows = 6;

    private sealed record Subcategory(string Label, string Name, int Weight, string[] Good, string[] Bad);

    private static readonly Subcategory[] Subcategories =
    [
        new("Care received", "Care received", 14,
            ["the care on the ward was excellent", "my mother was looked after so well", "really good care from start to finish", "the treatment I received was first class", "they took great care of my dad"],
            ["the care on the ward was poor", "my mother was left without care for hours", "the treatment felt rushed and careless", "nobody checked on my dad overnight", "care was patchy and inconsistent"]),
        new("Care received", "Advice and support", 5,
            ["the advice about my recovery was really helpful", "they supported me through a hard time", "good practical advice on managing at home"],
            ["no advice on what to do after I went home", "I got no support with my recovery", "the advice given was confusing and unhelpful"]),
        new("Care received", "Medication", 3,
            ["my medication was reviewed and explained", "tablets were always given on time", "the pharmacist sorted my prescription quickly"],
            ["my medication was given late again", "the prescription was wrong twice", "nobody reviewed my tablets"]),
        new("Care received", "Emotional care", 3,
            ["they cared about how I was feeling", "the emotional support helped me cope", "I felt listened to when I was anxious"],
            ["nobody asked how I was coping emotionally", "my anxiety was brushed aside", "no emotional support at a frightening time"]),
        new("Staff", "Attitude Of Staff", 10,
            ["the nurses were kind and caring", "staff were friendly and polite", "lovely staff who always smiled", "the receptionist was warm and welcoming"],
            ["the nurses were rude and dismissive", "staff were unfriendly and abrupt", "the receptionist was rude to me", "one nurse was sarcastic and unkind"]),
        new("Staff", "Staff: General", 8,
            ["the staff were brilliant", "great staff all round", "all the staff were wonderful", "fantastic team of staff"],
            ["the staff were not great", "some staff could do better", "staff seemed fed up", "the team of staff was disappointing"]),
        new("Staff", "Professionalism/Competence Of Staff", 4,
            ["the doctor was professional and knowledgeable", "the surgeon clearly knew what he was doing", "highly skilled and competent nurses"],
            ["the doctor did not seem to know what she was doing", "the nurse was unprofessional", "staff lacked basic competence"]),
        new("Couldn't be improved", "Nothing to improve", 14,
            ["nothing to improve", "nothing", "nothing at present", "can't think of anything", "no improvements needed", "nothing really, all fine", "nothing to add"],
            ["nothing to improve", "nothing", "nothing at all", "can't think of anything"]),
        new("Communication", "Amount/clarity of information", 4,
            ["the information I was given was clear", "everything was explained clearly", "the leaflet explained what would happen"],
            ["nobody explained what was happening", "the information was unclear and confusing", "I was not told the results of my scan"]),
        new("Communication", "Communication", 3,
            ["they kept us informed by phone", "good communication between us and the team", "the letter arrived in good time"],
            ["nobody phoned to say the clinic was cancelled", "poor communication with the family", "the letter never arrived"]),
        new("Communication", "Listening", 2,
            ["the doctor really listened to me", "they listened to my concerns", "I felt heard"],
            ["nobody listened to my concerns", "the doctor did not listen", "I felt ignored when I spoke up"]),
        new("Access", "Time spent waiting for first appt/referral/service", 4,
            ["I got an appointment quickly", "the referral came through fast", "seen within a week of referral"],
            ["I waited months for the referral", "long wait for the first appointment", "the waiting list is far too long"]),
        new("Access", "Provision of services", 2,
            ["the clinic is open late which helps", "the service is available locally", "good to have a walk-in service"],
            ["the service is not available at weekends", "they stopped the evening clinic", "no service near where I live"]),
        new("Access", "Location", 1,
            ["the clinic is easy to get to", "convenient location near the bus stop"],
            ["the clinic is too far away", "hard to find the building"]),
        new("Environment/ facilities", "Food", 3,
            ["the food was hot and tasty", "lovely food and plenty of choice", "good hospital food and drinks", "the food on the ward was nice"],
            ["the food was cold and bland", "awful food and no choice", "the food arrived late and cold", "the hospital food was inedible"]),
        new("Environment/ facilities", "Parking/transport", 3,
            ["parking was easy and cheap", "plenty of parking spaces", "free parking for patients", "the parking was close to the entrance"],
            ["parking is impossible", "the parking charges are too high", "no parking spaces at all", "I spent half an hour looking for parking"]),
        new("Environment/ facilities", "Cleanliness", 2,
            ["the ward was spotless", "very clean toilets and rooms", "everything was clean and tidy"],
            ["the toilets were dirty", "the ward was filthy", "bins overflowing and dusty floors"]),
        new("Miscellaneous", "Everything was good/bad", 5,
            ["everything was good", "it was all great", "overall a good experience"],
            ["everything was bad", "the whole thing was a disaster", "overall a terrible experience"]),
        new("Dignity", "Respect For Diversity/ Person-Centeredness", 2,
            ["they respected my beliefs and culture", "treated with dignity and respect", "they treated me as a person not a number"],
            ["I was not treated with dignity", "my privacy and dignity were ignored", "they disrespected my culture"]),
        new("Dignity", "Feeling safe including bullying", 2,
            ["I felt safe on the ward", "no bullying and I felt secure"],
            ["I did not feel safe on the ward", "another patient bullied me and nobody stopped it"]),
        new("Transition/coordination", "Transition And Discharge", 2,
            ["the discharge was well planned", "going home was smoothly organised"],
            ["I was discharged without a plan", "the discharge was chaotic and delayed"]),
        new("Transition/coordination", "Coordination/Integration Of Care", 2,
            ["the GP and hospital worked well together", "the teams shared my notes"],
            ["the GP and hospital did not talk to each other", "I had to repeat my history to every team"]),
        new("Staff", "Staffing levels", 1,
            ["there were enough staff on every shift"], ["the ward was short staffed every night"]),
        new("Care received", "Activities", 1,
            ["the art group gave us something to look forward to"], ["there were no activities to pass the day"]),
        new("Care received", "Therapies", 1,
            ["the physiotherapy sessions got me walking again"], ["I only had one physio session in a fortnight"]),
        new("Care received", "Physical care", 1,
            ["my wound dressing was changed carefully every day"], ["my pressure sores were not checked"]),
        new("Care received", "Carer support", 1,
            ["they helped me as a carer as well"], ["as his carer I got no help"]),
        new("Access", "Time spent waiting between appointments", 1,
            ["follow up appointments came round quickly"], ["six months between follow up appointments"]),
        new("Environment/ facilities", "Facilities/equipment", 1,
            ["the new scanner made it quick"], ["the lift was broken for weeks"]),
        new("Dignity", "Involvement: Of Service Users/Patients", 1,
            ["I was involved in every decision about my treatment"], ["decisions were made about me without me"]),
        new("Transition/coordination", "Consistency/Continuity of care", 1,
            ["I saw the same midwife each time"], ["a different doctor every visit"]),
        new("Miscellaneous", "Funding", 1,
            ["good to see money spent on the unit"], ["funding cuts have ruined this service"]),
    ];

    /// <summary>Everyday words with no theme in them: comments made of these are what no theme claims.</summary>
    private static readonly string[] Chatter =
    [
        "weather", "yesterday", "neighbour", "garden", "football", "grandson", "holiday", "radio", "umbrella", "biscuits",
        "crossword", "bicycle", "Tuesday", "cousin", "wedding", "kettle", "newspaper", "puppy", "train", "allotment",
        "knitting", "quiz", "birthday", "sunshine", "rain", "music", "church", "library", "pension", "television",
    ];

    private static readonly string[] Openers = ["", "", "", "Honestly, ", "Overall ", "On my last visit ", "This time "];
    private static readonly string[] GoodClosers = ["", "", ".", ". Thank you.", ", thanks to everyone.", "!", ". Very happy."];
    private static readonly string[] BadClosers = ["", "", ".", ". Very disappointed.", ", not good enough.", ". Please sort it out.", "!"];
    private static readonly (string Organisation, string Question)[] Respondents =
    [
        ("Trust A", "Trust A - Q1"), ("Trust A", "Trust A - Q2"), ("Trust B", "Trust B - Q1"), ("Trust C", "Trust C - Q1"), ("Trust C", "Trust C - Q2"),
    ];

    private static readonly Lazy<string> File = new(Write);

    /// <summary>The fixture's path, written once per test run into the temporary folder.</summary>
    public static string Path => File.Value;

    /// <summary>The fixture's CSV text, the same for every run.</summary>
    public static string Csv()
    {
        var random = new Random(20261205);
        var total = Subcategories.Sum(s => s.Weight);
        var csv = new StringBuilder("code,label,subcategory,feedback,criticality,organization,question,row_index\n");
        for (var row = 0; row < Rows; row++)
        {
            var pick = random.Next(total);
            var subcategory = Subcategories.First(s => (pick -= s.Weight) < 0);
            var (organisation, question) = Respondents[random.Next(Respondents.Length)];
            string text;
            int criticality;
            var mood = random.NextDouble();
            if (mood < 0.06)
            {
                // Chatter, labelled with whatever theme the respondent's form had ticked: noise, as real exports have.
                subcategory = Subcategories[random.Next(Subcategories.Length)];
                text = Capital(string.Join(' ', random.GetItems(Chatter, random.Next(3, 7)))) + ".";
                criticality = random.Next(-1, 2);
            }
            else if (subcategory.Label == "Couldn't be improved")
            {
                text = Capital(random.GetItems(subcategory.Good, 1)[0]) + random.GetItems(new[] { "", ".", ". Thank you.", " thanks." }, 1)[0];
                criticality = random.Next(2, 4);
            }
            else
            {
                var good = random.NextDouble() < 0.55;
                var phrases = good ? subcategory.Good : subcategory.Bad;
                var first = phrases[random.Next(phrases.Length)];
                var body = random.NextDouble() < 0.3
                    ? first + " and " + phrases[(Array.IndexOf(phrases, first) + 1 + random.Next(phrases.Length - 1)) % phrases.Length]
                    : first;
                if (mood > 0.9)
                {
                    // Mixed feedback: another subcategory's point of the other mood, after the comment's own.
                    var other = Subcategories[1 + random.Next(Subcategories.Length - 1)];
                    body += " but " + (good ? other.Bad : other.Good)[0];
                }
                text = Capital(random.GetItems(Openers, 1)[0] + body) + random.GetItems(good ? GoodClosers : BadClosers, 1)[0];
                criticality = good ? random.Next(1, 6) : -random.Next(1, 6);
            }
            var criticalityText = criticality.ToString(CultureInfo.InvariantCulture);
            if (row % 997 == 13)
            {
                criticalityText = "-o";
            }
            else if (row % 991 == 29)
            {
                criticalityText = "NA";
            }
            if (row % 701 == 350 && row / 701 < EmptyRows)
            {
                text = "";
            }
            csv.Append("xx,").Append(subcategory.Label).Append(',').Append(Quote(subcategory.Name)).Append(',').Append(Quote(text)).Append(',')
                .Append(criticalityText).Append(',').Append(organisation).Append(',').Append(question).Append(',')
                .Append(row.ToString(CultureInfo.InvariantCulture)).Append('\n');
        }
        return csv.ToString();
    }

    private static string Capital(string text) => text.Length == 0 ? text : char.ToUpperInvariant(text[0]) + text[1..];

    private static string Quote(string value) => "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    private static string Write()
    {
        var dir = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "drawbridge-insights-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        var path = System.IO.Path.Combine(dir, "feedback-fixture.csv");
        System.IO.File.WriteAllText(path, Csv());
        return path;
    }
}
