using System.Net;
using AnyClaude.Host.Configuration;
using AnyClaude.TestSupport.NativeServers;

namespace AnyClaude.Host.Tests.NativeBackends;

/// <summary>A fake native server and the real proxy in front of it, started together and stopped together (the proxy first).</summary>
internal sealed class NativeSession<TFake>(TFake fake, NativeProxy proxy) : IAsyncDisposable
    where TFake : IAsyncDisposable
{
    public TFake Fake => fake;

    public NativeProxy Proxy => proxy;

    /// <summary>The proxy, with a backend of <paramref name="kind"/>, in front of the fake <paramref name="starting"/> brings up.</summary>
    public static async Task<NativeSession<TFake>> StartAsync(Task<TFake> starting, Func<TFake, Uri> urlOf, string kind, Func<BackendOptions, BackendOptions>? configure = null)
    {
        var server = await starting;
        return new NativeSession<TFake>(server, await NativeProxy.StartAsync(kind, urlOf(server), configure));
    }

    public void Deconstruct(out TFake server, out NativeProxy front)
    {
        server = fake;
        front = proxy;
    }

    /// <summary>
    /// Plays <paramref name="turns"/> turns of <paramref name="conversation"/>: each answered by the fake with
    /// "Answer N." (<paramref name="enqueue"/>), each answer appended with the next user step.
    /// </summary>
    public async Task PlayTurnsAsync(ClaudeCodeConversation conversation, int turns, Action<NativeReply> enqueue)
    {
        for (int turn = 1; turn <= turns; turn++)
        {
            string answer = $"Answer {turn}.";
            enqueue(NativeReply.Text(answer));
            using var response = await proxy.PostAsync(conversation.Body());
            response.StatusCode.ShouldBe(HttpStatusCode.OK);
            await response.Content.ReadAsStringAsync();
            conversation.Append(answer, $"Now step {turn + 1}.");
        }
    }

    public async ValueTask DisposeAsync()
    {
        await proxy.DisposeAsync();
        await fake.DisposeAsync();
    }
}
