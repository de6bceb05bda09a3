using Microsoft.Extensions.AI;

namespace Atlas.Runtime;

/// <summary>
/// A host's own chat client at the bottom of the pipeline the runtime builds around it: disposing the pipeline disposes
/// the runtime's middleware, never the host's client, which stays the host's.
/// </summary>
internal sealed class BorrowedChatClient(IChatClient inner) : DelegatingChatClient(inner)
{
    protected override void Dispose(bool disposing)
    {
        // Not base.Dispose: that would dispose the host's client.
    }
}
