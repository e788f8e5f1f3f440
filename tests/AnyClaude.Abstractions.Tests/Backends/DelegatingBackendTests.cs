using System.Reflection;
using AnyClaude.Abstractions.Backends;
using AnyClaude.Abstractions.Messages;
using AnyClaude.Abstractions.Streaming;
using Microsoft.Extensions.Logging.Abstractions;

namespace AnyClaude.Abstractions.Tests.Backends;

public sealed class DelegatingBackendTests
{
    /// <summary>A layer that overrides nothing: everything it answers is the inner backend's.</summary>
    private sealed class PassThrough(IBackend inner) : DelegatingBackend(inner);

    /// <summary>A layer that changes the stream only (as a response pipeline does): the model name in message_start.</summary>
    private sealed class RenamingLayer(IBackend inner) : DelegatingBackend(inner)
    {
        public override async IAsyncEnumerable<MessageStreamEvent> StreamAsync(MessagesRequest request, BackendCall call, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
        {
            await foreach (var streamEvent in base.StreamAsync(request, call, cancellationToken).ConfigureAwait(false))
            {
                if (streamEvent is MessageStartEvent start)
                {
                    start.Message.Model = "renamed";
                }

                yield return streamEvent;
            }
        }
    }

    private static IEnumerable<MethodInfo> BackendMembers => typeof(IBackend).GetMethods();

    [Fact]
    public void Every_member_of_IBackend_is_implemented_by_DelegatingBackend_itself_and_can_be_overridden()
    {
        var map = typeof(DelegatingBackend).GetInterfaceMap(typeof(IBackend));
        var problems = new List<string>();
        for (int i = 0; i < map.InterfaceMethods.Length; i++)
        {
            var target = map.TargetMethods[i];
            if (target.DeclaringType != typeof(DelegatingBackend))
            {
                // An interface member with a default body that DelegatingBackend does not override: a layer would answer
                // with IBackend's default instead of asking the inner backend.
                problems.Add($"{map.InterfaceMethods[i].Name} is not forwarded (it runs {target.DeclaringType?.Name}'s own body)");
            }
            else if (!target.IsVirtual || target.IsFinal)
            {
                problems.Add($"{map.InterfaceMethods[i].Name} is forwarded but not virtual, so a layer cannot change it");
            }
        }

        map.InterfaceMethods.Length.ShouldBe(BackendMembers.Count());
        problems.ShouldBeEmpty();
    }

    [Fact]
    public async Task Every_member_of_IBackend_reaches_the_inner_backend_with_the_callers_arguments_and_returns_its_answer()
    {
        var request = new MessagesRequest { Model = "claude-sonnet-4-5", Messages = [] };
        var call = new BackendCall("req_1", NullLogger.Instance);
        using var cancellation = new CancellationTokenSource();
        var members = BackendMembers.ToList();
        members.Count.ShouldBeGreaterThanOrEqualTo(9);

        foreach (var member in members)
        {
            var direct = new RecordingBackend();
            var inner = new RecordingBackend();
            IBackend layer = new PassThrough(inner);
            object?[] arguments = [.. member.GetParameters().Select(p => ArgumentFor(p.ParameterType, request, call, cancellation.Token))];

            string expected = await DescribeAsync(member.Invoke(direct, arguments));
            string answered = await DescribeAsync(member.Invoke(layer, arguments));

            string name = member.IsSpecialName && member.Name.StartsWith("get_", StringComparison.Ordinal) ? member.Name[4..] : member.Name;
            inner.Calls.Select(c => c.Member).ShouldBe([name], $"{member.Name} did not reach the inner backend exactly once");
            inner.Calls[0].Arguments.ShouldBe(arguments, $"{member.Name} reached the inner backend with other arguments");
            answered.ShouldBe(expected, $"{member.Name} answered something other than the inner backend's answer");
        }
    }

    [Fact]
    public async Task A_layer_that_changes_the_stream_leaves_counts_health_models_and_discovery_to_the_inner_backend()
    {
        var inner = new RecordingBackend("llama");
        IBackend layer = new RenamingLayer(inner);
        var request = new MessagesRequest { Model = "claude-sonnet-4-5", Messages = [] };

        var events = new List<MessageStreamEvent>();
        await foreach (var streamEvent in layer.StreamAsync(request, new BackendCall("req_1", NullLogger.Instance), CancellationToken.None))
        {
            events.Add(streamEvent);
        }

        events.OfType<MessageStartEvent>().Single().Message.Model.ShouldBe("renamed");
        events[^1].ShouldBeOfType<MessageStopEvent>();
        layer.Name.ShouldBe("llama");
        layer.BaseUrl.ShouldBe(new Uri("http://127.0.0.1:1/v1"));
        layer.Capabilities.ShouldBeSameAs(RecordingBackend.OwnCapabilities);
        // IBackend's defaults would answer 42 as an estimate and the current capabilities: the inner backend's own answers show.
        (await layer.CountTokensAsync(request, CancellationToken.None)).ShouldBe(new TokenCount(77, TokenCountSource.Server));
        (await layer.CountInputTokensAsync(request, CancellationToken.None)).ShouldBe(42);
        (await layer.DiscoverCapabilitiesAsync(CancellationToken.None)).ShouldBeSameAs(RecordingBackend.DiscoveredCapabilities);
        (await layer.CheckHealthAsync(CancellationToken.None)).ShouldBe(BackendHealth.Unhealthy("llama is recorded"));
        (await layer.ListModelsAsync(CancellationToken.None)).ShouldBe([new ModelInfo("listed", "Listed")]);
        ((DelegatingBackend)layer).InnerBackend.ShouldBeSameAs(inner);
    }

    [Fact]
    public void A_layer_without_an_inner_backend_is_refused()
    {
        Should.Throw<ArgumentNullException>(() => new PassThrough(null!)).ParamName.ShouldBe("innerBackend");
    }

    private static object ArgumentFor(Type type, MessagesRequest request, BackendCall call, CancellationToken token) =>
        type == typeof(MessagesRequest) ? request
        : type == typeof(BackendCall) ? call
        : type == typeof(CancellationToken) ? token
        : throw new InvalidOperationException($"IBackend has a member taking a {type.Name}: teach this test (and RecordingBackend) what to pass");

    /// <summary>What a member answered, awaited and enumerated, as text that two equal answers share.</summary>
    private static async Task<string> DescribeAsync(object? result)
    {
        switch (result)
        {
            case Task task:
                await task;
                return Describe(task.GetType().GetProperty("Result")?.GetValue(task));
            case IAsyncEnumerable<MessageStreamEvent> events:
                var types = new List<string>();
                await foreach (var streamEvent in events)
                {
                    types.Add(streamEvent is MessageStartEvent start ? $"{streamEvent.Type}:{start.Message.Id}" : streamEvent.Type);
                }

                return string.Join(",", types);
            case not null when result.GetType().IsGenericType && result.GetType().GetGenericTypeDefinition() == typeof(ValueTask<>):
                var asTask = (Task)result.GetType().GetMethod(nameof(ValueTask<int>.AsTask))!.Invoke(result, null)!;
                return await DescribeAsync(asTask);
            default:
                return Describe(result);
        }
    }

    private static string Describe(object? value) => value switch
    {
        IEnumerable<ModelInfo> models => string.Join(",", models),
        _ => value?.ToString() ?? "(null)",
    };
}
