namespace Edge.Modbus.Internal;

/// <summary>
/// One queued request. The worker thread claims it with <see cref="TryStart"/>; a cancellation that wins the race
/// first completes the caller's task as cancelled and the worker skips it. Once started a transaction always runs
/// to completion (libmodbus calls cannot be interrupted; the response timeout bounds them).
/// </summary>
internal abstract class ModbusTransaction
{
    private const int Queued = 0;
    private const int Running = 1;
    private const int Finished = 2;
    private int _state;

    protected ModbusTransaction(byte unitId)
    {
        UnitId = unitId;
    }

    internal byte UnitId { get; }

    internal bool TryStart() => Interlocked.CompareExchange(ref _state, Running, Queued) == Queued;

    /// <summary>Runs the request on the worker thread once <see cref="TryStart"/> succeeded; throws on failure.</summary>
    internal abstract void Execute(ModbusContext context);

    /// <summary>Completes the caller's task with the result of <see cref="Execute"/>.</summary>
    internal abstract void Succeed();

    /// <summary>Completes the caller's task with <paramref name="error"/>.</summary>
    internal abstract void Fail(Exception error);

    /// <summary>For a transaction that never started (shutdown): fails it unless cancellation already finished it.</summary>
    internal void Abandon(Exception error)
    {
        if (Interlocked.CompareExchange(ref _state, Finished, Queued) == Queued)
        {
            Fail(error);
        }
    }

    protected bool TryCancelQueued() => Interlocked.CompareExchange(ref _state, Finished, Queued) == Queued;
}

/// <summary>A transaction producing <typeparamref name="TResult"/> from <typeparamref name="TState"/> without a closure.</summary>
internal sealed class ModbusTransaction<TState, TResult> : ModbusTransaction
{
    private readonly TaskCompletionSource<TResult> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Func<ModbusContext, byte, TState, TResult> _work;
    private readonly TState _state;
    private CancellationTokenRegistration _cancellation;
    private TResult? _result;

    internal ModbusTransaction(byte unitId, TState state, Func<ModbusContext, byte, TState, TResult> work)
        : base(unitId)
    {
        _state = state;
        _work = work;
    }

    internal Task<TResult> Task => _completion.Task;

    internal void RegisterCancellation(CancellationToken cancellationToken)
    {
        if (cancellationToken.CanBeCanceled)
        {
            _cancellation = cancellationToken.UnsafeRegister(
                static (o, ct) =>
                {
                    var t = (ModbusTransaction<TState, TResult>)o!;
                    if (t.TryCancelQueued())
                    {
                        t._completion.TrySetCanceled(ct);
                    }
                },
                this);
        }
    }

    internal override void Execute(ModbusContext context)
    {
        _cancellation.Dispose();
        _result = _work(context, UnitId, _state);
    }

    internal override void Succeed() => _completion.TrySetResult(_result!);

    internal override void Fail(Exception error)
    {
        _cancellation.Dispose();
        _completion.TrySetException(error);
    }
}
