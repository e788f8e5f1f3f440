using System.Buffers;
using System.Net.Sockets;
using AnyClaude.Abstractions.Errors;

namespace AnyClaude.Abstractions.Backends;

/// <summary>
/// What a server that could not be reached, broke off or sent an error body becomes for Claude Code: the one wording
/// behind <see cref="UpstreamHttp"/> and the OpenAI-compatible assembly's <c>UpstreamErrors</c>.
/// </summary>
internal static class UpstreamFailures
{
    public const int MaxBodyChars = 64 * 1024;

    public static async Task<string> ReadBodyAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(response);
        try
        {
            await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            using var reader = new StreamReader(stream);
            char[] buffer = ArrayPool<char>.Shared.Rent(MaxBodyChars);
            try
            {
                int read = await reader.ReadBlockAsync(buffer.AsMemory(0, MaxBodyChars), cancellationToken).ConfigureAwait(false);
                return new string(buffer, 0, read);
            }
            finally
            {
                ArrayPool<char>.Shared.Return(buffer);
            }
        }
        catch (Exception exception) when (exception is IOException or HttpRequestException)
        {
            return $"(the body could not be read: {exception.Message})";
        }
    }

    public static AnthropicException Unreachable(string backendName, Uri url, string startHint, Exception exception)
    {
        string what = exception switch
        {
            _ when FindSocketError(exception) is SocketError.ConnectionRefused => "refused the connection",
            _ when FindSocketError(exception) is SocketError.HostNotFound or SocketError.NoData => "has a host name that does not resolve",
            _ when exception is TimeoutException || exception.InnerException is TimeoutException || exception is TaskCanceledException => "did not accept the connection in time",
            _ => $"could not be reached ({exception.Message})",
        };
        return new AnthropicException(
            AnthropicErrorTypes.Api,
            $"backend '{backendName}' at {url} {what}: {startHint}",
            statusCode: 502,
            shouldRetry: false,
            inner: exception);
    }

    public static AnthropicException BrokeMidStream(string backendName, Uri url, Exception exception) =>
        new(AnthropicErrorTypes.Api, $"the connection to backend '{backendName}' at {url} broke mid-stream: {exception.Message} (did the server stop or crash?)", inner: exception);

    private static SocketError? FindSocketError(Exception exception)
    {
        for (Exception? current = exception; current is not null; current = current.InnerException)
        {
            if (current is SocketException socket)
            {
                return socket.SocketErrorCode;
            }
        }

        return null;
    }
}
