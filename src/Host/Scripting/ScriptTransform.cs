using AnyClaude.Abstractions.Errors;
using AnyClaude.Abstractions.Scripting;
using AnyClaude.Abstractions.Transforms;
using Microsoft.Extensions.Logging;

namespace AnyClaude.Host.Scripting;

/// <summary>
/// A compiled script as a pipeline step for one backend. A script that throws fails the request with a 500
/// <c>api_error</c> naming the script and <c>x-should-retry: false</c> (retrying would throw again); an
/// <see cref="AnthropicException"/> thrown on purpose by the script reaches the client as it is.
/// </summary>
internal sealed class ScriptTransform(LoadedScript script, ScriptBackend backend, ILogger log) : IRequestTransform
{
    public string Name => script.Name;

    public LoadedScript Script => script;

    public async ValueTask ApplyAsync(RequestContext context, CancellationToken cancellationToken)
    {
        var entry = script.Entry ?? throw new InvalidOperationException($"script '{script.Name}' did not compile");
        var globals = new ScriptGlobals(context.Request, backend, log, cancellationToken);
        try
        {
            await entry([globals, null]).ConfigureAwait(false);
        }
        catch (AnthropicException)
        {
            throw;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception exception)
        {
            throw new AnthropicException(
                AnthropicErrorTypes.Api,
                $"script '{script.Name}' failed: {exception.GetType().Name}: {exception.Message} ({script.Path})",
                statusCode: 500,
                shouldRetry: false,
                inner: exception);
        }
    }
}
