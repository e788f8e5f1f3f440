using System.Text.Json;
using AnyClaude.Host.Backends;

namespace AnyClaude.Host.Admin;

/// <summary>A pool's <c>destinations</c> in <c>/admin/status</c>: each URL's health, requests in flight and conversations held.</summary>
internal static class PoolStatusJson
{
    public static void Write(Utf8JsonWriter json, PooledBackend pool)
    {
        json.WriteStartArray("destinations");
        foreach (var destination in pool.Snapshot())
        {
            json.WriteStartObject();
            json.WriteString("url", destination.Url.ToString());
            json.WriteBoolean("healthy", destination.Healthy);
            json.WriteString("health", HealthTexts.Of(destination.Health));
            json.WriteNumber("inFlight", destination.InFlight);
            json.WriteNumber("conversations", destination.Conversations);
            json.WriteNumber("failures", destination.Failures);
            if (destination.RetryAt is { } retryAt)
            {
                json.WriteString("retryAt", retryAt);
            }

            if (destination.LastError is { } error)
            {
                json.WriteString("lastError", error);
            }

            json.WriteEndObject();
        }

        json.WriteEndArray();
    }
}
