using AnyClaude.OpenAICompat.ToolCalls;

namespace AnyClaude.OpenAICompat.Tests.ToolCalls;

public sealed class JsonRepairTests
{
    [Theory]
    [InlineData("""{"a": 1, "b": [1, 2,],}""", """{"a": 1, "b": [1, 2]}""")]
    [InlineData("""{'a': 'it\'s', "b": 'say "hi"'}""", """{"a": "it's", "b": "say \"hi\""}""")]
    [InlineData("{\"a\": \"line1\nline2\ttab\"}", """{"a": "line1\nline2\ttab"}""")]
    [InlineData("""{"a": {"b": [1, {"c": "x""", """{"a": {"b": [1, {"c": "x"}]}}""")]
    [InlineData("""{"a": """, """{"a":null}""")]
    [InlineData("""{a: True, b: None, c: False}""", """{"a": true, "b": null, "c": false}""")]
    [InlineData("""{"path": "C:\dir"}""", """{"path": "C:\\dir"}""")]
    [InlineData("""{"quote": "he said "no" to it", "n": 1}""", """{"quote": "he said \"no\" to it", "n": 1}""")]
    public void Slightly_broken_json_is_repaired(string broken, string expected) =>
        JsonRepair.TryRepairObject(broken).ShouldBe(expected);

    [Fact]
    public void Valid_json_is_returned_as_it_is()
    {
        const string json = """{ "a" : [ 1 , 2 ] , "b" : "x\u00e9" }""";
        JsonRepair.TryRepair(json).ShouldBeSameAs(json);
    }

    [Theory]
    [InlineData("file_path = a.txt")]
    [InlineData("")]
    [InlineData("[1, 2]")]
    [InlineData("\"just a string\"")]
    public void What_is_not_an_object_is_refused(string text) =>
        JsonRepair.TryRepairObject(text).ShouldBeNull();
}
