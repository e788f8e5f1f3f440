using AnyClaude.Abstractions.Backends;
using AnyClaude.Abstractions.Messages;
using AnyClaude.Abstractions.Streaming;
using Microsoft.Extensions.Logging.Abstractions;

namespace AnyClaude.Abstractions.Tests.Backends;

public sealed class BackendBuilderTests
{
    /// <summary>A layer that puts its tag around the inner backend's name and notes when the stream passes through it.</summary>
    private sealed class TaggingLayer(IBackend inner, string tag, List<string> streamOrder) : DelegatingBackend(inner)
    {
        public override string Name => $"{tag}({base.Name})";

        public override IAsyncEnumerable<MessageStreamEvent> StreamAsync(MessagesRequest request, BackendCall call, CancellationToken cancellationToken)
        {
            streamOrder.Add(tag);
            return base.StreamAsync(request, call, cancellationToken);
        }
    }

    [Fact]
    public async Task The_first_layer_added_is_the_outermost_and_a_request_passes_the_layers_in_the_order_they_were_added()
    {
        var order = new List<string>();
        var inner = new RecordingBackend("llama");

        var backend = new BackendBuilder(inner)
            .Use(b => new TaggingLayer(b, "pool", order))
            .Use(b => new TaggingLayer(b, "responses", order))
            .Use(b => new TaggingLayer(b, "timeout", order))
            .Build();

        backend.Name.ShouldBe("pool(responses(timeout(llama)))");
        await foreach (var _ in backend.StreamAsync(new MessagesRequest(), new BackendCall("req_1", NullLogger.Instance), CancellationToken.None))
        {
        }

        order.ShouldBe(["pool", "responses", "timeout"]);
        inner.Calls.Count(c => c.Member == nameof(IBackend.StreamAsync)).ShouldBe(1);
        var outer = backend.ShouldBeOfType<TaggingLayer>();
        var middle = outer.InnerBackend.ShouldBeOfType<TaggingLayer>();
        middle.InnerBackend.ShouldBeOfType<TaggingLayer>().InnerBackend.ShouldBeSameAs(inner);
    }

    [Fact]
    public void A_builder_without_layers_builds_the_inner_backend_itself()
    {
        var inner = new RecordingBackend();

        new BackendBuilder(inner).Build().ShouldBeSameAs(inner);
    }

    [Fact]
    public void A_layer_that_returns_null_fails_the_build_saying_which_layer_and_around_what()
    {
        var builder = new BackendBuilder(new RecordingBackend("llama"))
            .Use(b => new TaggingLayer(b, "outer", []))
            .Use(_ => null!);

        var exception = Should.Throw<InvalidOperationException>(builder.Build);

        exception.Message.ShouldBe("layer 2 of 2 added with BackendBuilder.Use returned null instead of a backend wrapping 'llama'");
    }
}
