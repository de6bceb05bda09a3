using System;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.AI;

namespace Atlas.Runtime;

/// <summary>
/// The stream of a client that needs each reply whole before it leaves (retries, fallback, recording): the reply's
/// updates once it is complete. Its pieces reach the step and the caller another way, as they arrive.
/// </summary>
internal static class WholeReplies
{
    /// <summary>The updates of the reply <paramref name="getResponse"/> gives, asked for when the stream is first read.</summary>
    public static async IAsyncEnumerable<ChatResponseUpdate> AsStreamAsync(
        Func<CancellationToken, Task<ChatResponse>> getResponse, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var response = await getResponse(cancellationToken).ConfigureAwait(false);
        foreach (var update in response.ToChatResponseUpdates())
        {
            yield return update;
        }
    }
}
