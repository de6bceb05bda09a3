namespace Atlas.Runtime;

/// <summary>A piece of a tool call's arguments in a streamed reply (<see cref="ProviderClientFactory.ReadToolCallArgumentPieces"/>).</summary>
/// <param name="Index">The call's position in the reply, which every piece of one call shares.</param>
/// <param name="CallId">The call's id, on the piece that carries it (usually the first); <see langword="null"/> on the others.</param>
/// <param name="Text">The piece of argument text; <see langword="null"/> for a piece that only starts the call.</param>
public readonly record struct ToolCallArgumentsPiece(long Index, string? CallId, string? Text);
