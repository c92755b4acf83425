namespace Edge.Simulators.Weighbridge;

/// <summary>What the weighbridge is doing.</summary>
internal enum TruckPhase
{
    Empty,
    Arriving,
    Settling,
    GrossStable,
    Unloading,
    TareStable,
    Leaving,
}

/// <summary>One moment of the weighbridge: the weight the load cells see and whether it is still moving.</summary>
internal readonly record struct WeighbridgeState(TruckPhase Phase, int WeightKg, bool Motion, int TruckNumber, int GrossKg, int TareKg);

/// <summary>
/// Trucks crossing the weighbridge, one after another: the loaded truck drives on (the weight ramps up while the
/// indicator flags motion), settles, stands still for the first weighing (gross), unloads on the bridge — as on a
/// bridge at the tipping point — and stands still again for the second weighing (tare), then drives off and the
/// bridge returns to zero. Loads are random but realistic: gross 15–49 t, tare 8–15 t, in 20 kg divisions.
/// Deterministic for a seed; time comes from the caller, so tests can step it.
/// </summary>
internal sealed class WeighbridgeCycle
{
    private readonly Random _random;
    private readonly double _speed;
    private TruckPhase _phase = TruckPhase.Empty;
    private double _phaseStart;
    private double _phaseLength;
    private int _gross;
    private int _tare;
    private int _truck;

    /// <param name="seed">Random seed (the same seed gives the same trucks).</param>
    /// <param name="speed">1 = real time; 5 = every phase five times shorter (tests).</param>
    public WeighbridgeCycle(int seed, double speed = 1.0)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(speed);
        _random = new Random(seed);
        _speed = speed;
        _phaseLength = Seconds(2, 4);
    }

    /// <summary>The state at <paramref name="seconds"/> since the start; calls must not go back in time.</summary>
    public WeighbridgeState At(double seconds)
    {
        while (seconds - _phaseStart >= _phaseLength)
        {
            _phaseStart += _phaseLength;
            Advance();
        }

        var f = Math.Clamp((seconds - _phaseStart) / _phaseLength, 0, 1);
        var (weight, motion) = _phase switch
        {
            TruckPhase.Empty => (0.0, false),
            TruckPhase.Arriving => (_gross * Ease(f), true),

            // Damped oscillation of the bridge after the truck stopped.
            TruckPhase.Settling => (_gross + (600 * Math.Exp(-4 * f) * Math.Sin(f * 25)), true),
            TruckPhase.GrossStable => (_gross, false),
            TruckPhase.Unloading => (_gross - ((_gross - _tare) * Ease(f)) + (_random.NextDouble() * 200) - 100, true),
            TruckPhase.TareStable => (_tare, false),
            _ => (_tare * (1 - Ease(f)), f < 1),
        };

        var rounded = (int)Math.Round(Math.Max(weight, 0) / ToledoFrame.DivisionKg) * ToledoFrame.DivisionKg;
        return new WeighbridgeState(_phase, rounded, motion, _truck, _gross, _tare);
    }

    private static double Ease(double f) => f * f * (3 - (2 * f));

    private void Advance()
    {
        switch (_phase)
        {
            case TruckPhase.Empty:
                _truck++;
                _tare = Divisions(8_000, 15_000);
                _gross = Math.Max(Divisions(15_000, 49_000), _tare + 3_000);
                _phase = TruckPhase.Arriving;
                _phaseLength = Seconds(3, 5);
                break;
            case TruckPhase.Arriving:
                _phase = TruckPhase.Settling;
                _phaseLength = Seconds(1, 1.5);
                break;
            case TruckPhase.Settling:
                _phase = TruckPhase.GrossStable;
                _phaseLength = Seconds(6, 9);
                break;
            case TruckPhase.GrossStable:
                _phase = TruckPhase.Unloading;
                _phaseLength = Seconds(4, 7);
                break;
            case TruckPhase.Unloading:
                _phase = TruckPhase.TareStable;
                _phaseLength = Seconds(6, 9);
                break;
            case TruckPhase.TareStable:
                _phase = TruckPhase.Leaving;
                _phaseLength = Seconds(2, 3);
                break;
            default:
                _phase = TruckPhase.Empty;
                _phaseLength = Seconds(3, 6);
                break;
        }
    }

    private double Seconds(double min, double max) => (min + (_random.NextDouble() * (max - min))) / _speed;

    private int Divisions(int minKg, int maxKg) =>
        _random.Next(minKg / ToledoFrame.DivisionKg, (maxKg / ToledoFrame.DivisionKg) + 1) * ToledoFrame.DivisionKg;
}
