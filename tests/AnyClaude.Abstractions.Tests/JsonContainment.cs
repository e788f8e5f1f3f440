using System.Text.Json;

namespace AnyClaude.Abstractions.Tests;

/// <summary>
/// Asserts that every value of an original JSON document survives in a re-serialized one. The model may add
/// null members it names and writes a string <c>content</c>/<c>system</c> as an array of one text block;
/// nothing else may change.
/// </summary>
internal static class JsonContainment
{
    public static void AssertContains(JsonElement expected, JsonElement actual, string path)
    {
        if (expected.ValueKind == JsonValueKind.String && actual.ValueKind == JsonValueKind.Array
            && (path.EndsWith(".content", StringComparison.Ordinal) || path.EndsWith(".system", StringComparison.Ordinal)))
        {
            actual.GetArrayLength().ShouldBe(1, path);
            actual[0].GetProperty("type").GetString().ShouldBe("text", path);
            actual[0].GetProperty("text").GetString().ShouldBe(expected.GetString(), path);
            return;
        }

        actual.ValueKind.ShouldBe(expected.ValueKind, path);
        switch (expected.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in expected.EnumerateObject())
                {
                    string childPath = $"{path}.{property.Name}";
                    actual.TryGetProperty(property.Name, out var value).ShouldBeTrue($"{childPath} was lost");
                    AssertContains(property.Value, value, childPath);
                }

                break;
            case JsonValueKind.Array:
                actual.GetArrayLength().ShouldBe(expected.GetArrayLength(), path);
                for (int i = 0; i < expected.GetArrayLength(); i++)
                {
                    AssertContains(expected[i], actual[i], $"{path}[{i}]");
                }

                break;
            case JsonValueKind.String:
                actual.GetString().ShouldBe(expected.GetString(), path);
                break;
            default:
                actual.GetRawText().ShouldBe(expected.GetRawText(), path);
                break;
        }
    }
}
