



using AnyClaude.Host.Requests;

namespace AnyClaude.Host.Tests.Routing;

public sealed class RequestClassifierTests
{
    [Fact]
    public void A_conversation_turn_is_a_turn_and_not_background()
    {
        var request = RequestBodies.Parse(RequestBodies.Turn());
        var requestClass = RequestClassifier.Classify(request, countTokens: false);
        requestClass.ShouldBe(RequestClass.Turn);
        RequestClassifier.IsBackground(requestClass, request.Model).ShouldBeFalse();
    }

    [Fact]
    public void The_session_title_call_is_title_and_background()
    {
        var request = RequestBodies.Parse(RequestBodies.Title());
        var requestClass = RequestClassifier.Classify(request, countTokens: false);
        requestClass.ShouldBe(RequestClass.Title);
        RequestClassifier.IsBackground(requestClass, request.Model).ShouldBeTrue();
    }

    [Fact]
    public void The_title_mark_is_found_without_the_billing_header_too()
    {
        var body = RequestBodies.Title();
        body["system"]!.AsArray().RemoveAt(0);
        RequestClassifier.Classify(RequestBodies.Parse(body), countTokens: false).ShouldBe(RequestClass.Title);
    }

    [Fact]
    public void The_title_call_of_2_1_197_is_title_too()
    {
        var body = RequestBodies.Title();
        body["system"]![2]!["text"] = "Generate a concise, sentence-case title (3-7 words) that captures the main topic or goal of this coding session.";
        RequestClassifier.Classify(RequestBodies.Parse(body), countTokens: false).ShouldBe(RequestClass.Title);
    }

    [Fact]
    public void The_older_topic_detection_call_is_topic_and_background()
    {
        var request = RequestBodies.Parse(RequestBodies.Topic());
        var requestClass = RequestClassifier.Classify(request, countTokens: false);
        requestClass.ShouldBe(RequestClass.Topic);
        RequestClassifier.IsBackground(requestClass, request.Model).ShouldBeTrue();
    }

    [Fact]
    public void The_model_probe_is_probe()
    {
        RequestClassifier.Classify(RequestBodies.Parse(RequestBodies.Probe("lmstudio")), countTokens: false).ShouldBe(RequestClass.Probe);
    }

    [Fact]
    public void A_one_token_request_with_tools_or_another_text_is_not_a_probe()
    {
        var withTools = RequestBodies.Probe("x");
        withTools["tools"] = new System.Text.Json.Nodes.JsonArray();
        RequestClassifier.Classify(RequestBodies.Parse(withTools), countTokens: false).ShouldBe(RequestClass.Turn);

        var otherText = RequestBodies.Probe("x");
        otherText["messages"]![0]!["content"] = "Hi there";
        RequestClassifier.Classify(RequestBodies.Parse(otherText), countTokens: false).ShouldBe(RequestClass.Turn);
    }

    [Fact]
    public void The_safety_classifier_is_classifier_and_never_background()
    {
        var request = RequestBodies.Parse(RequestBodies.Classifier());
        var requestClass = RequestClassifier.Classify(request, countTokens: false);
        requestClass.ShouldBe(RequestClass.Classifier);
        RequestClassifier.IsBackground(requestClass, RequestClassifier.BackgroundModel).ShouldBeFalse();
    }

    [Fact]
    public void Compaction_is_compaction_and_never_background_even_on_the_small_model()
    {
        var body = RequestBodies.Compaction();
        body["model"] = RequestClassifier.BackgroundModel;
        var request = RequestBodies.Parse(body);
        var requestClass = RequestClassifier.Classify(request, countTokens: false);
        requestClass.ShouldBe(RequestClass.Compaction);
        RequestClassifier.IsBackground(requestClass, request.Model).ShouldBeFalse();
    }

    [Fact]
    public void Token_counting_is_count()
    {
        RequestClassifier.Classify(RequestBodies.Parse(RequestBodies.Turn()), countTokens: true).ShouldBe(RequestClass.Count);
    }

    [Fact]
    public void A_turn_on_the_small_fast_model_anyclaude_set_is_background()
    {
        var request = RequestBodies.Parse(RequestBodies.Turn(model: RequestClassifier.BackgroundModel));
        RequestClassifier.IsBackground(RequestClassifier.Classify(request, countTokens: false), request.Model).ShouldBeTrue();
    }

    [Theory]
    [InlineData("turn", "Turn")]
    [InlineData("Classifier", "Classifier")]
    [InlineData("count", "Count")]
    public void Class_names_parse_case_insensitively(string name, string expected)
    {
        RequestClasses.TryParse(name, out var parsed).ShouldBeTrue();
        parsed.ToString().ShouldBe(expected);
    }
}
