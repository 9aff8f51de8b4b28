/* The C floor for greeks throughput: the same Black-76 formulas (domain.md), the same grid
 * and the same libm calls as hedgeledger's Black76.greeks. Usage: greeks_reference N.
 * Prints "evaluations seconds checksum". */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

typedef struct { double forward, strike, years, sigma, rate; int call; } inputs;
typedef struct { double value, delta, gamma, vega, theta, rho; } greeks;

static double cdf(double x) { return 0.5 * erfc(-x / sqrt(2.0)); }
static double pdf(double x) { return exp(-0.5 * x * x) / sqrt(2.0 * M_PI); }

static greeks black76(inputs p) {
    greeks g;
    double discount = exp(-p.rate * p.years);
    if (p.years <= 0 || p.sigma <= 0) {
        double intrinsic = p.call ? fmax(p.forward - p.strike, 0) : fmax(p.strike - p.forward, 0);
        g.value = discount * intrinsic; g.delta = 0; g.gamma = 0; g.vega = 0; g.theta = 0; g.rho = 0;
        return g;
    }
    double sqrt_t = sqrt(p.years), sigma_sqrt_t = p.sigma * sqrt_t;
    double d1 = (log(p.forward / p.strike) + 0.5 * p.sigma * p.sigma * p.years) / sigma_sqrt_t;
    double d2 = d1 - sigma_sqrt_t;
    double density = pdf(d1);
    g.value = p.call ? discount * (p.forward * cdf(d1) - p.strike * cdf(d2))
                     : discount * (p.strike * cdf(-d2) - p.forward * cdf(-d1));
    g.delta = p.call ? discount * cdf(d1) : -discount * cdf(-d1);
    g.gamma = discount * density / (p.forward * sigma_sqrt_t);
    g.vega = discount * p.forward * density * sqrt_t / 100;
    g.theta = (-discount * p.forward * density * p.sigma / (2 * sqrt_t) + p.rate * g.value) / 365;
    g.rho = -p.years * g.value / 100;
    return g;
}

int main(int argc, char **argv) {
    long evaluations = argc > 1 ? atol(argv[1]) : 10000000;
    static inputs grid[1000];
    for (int i = 0; i < 1000; i++) {
        grid[i] = (inputs){95000, 60000.0 + (i % 50) * 1600, 0.002 + (i % 20) * 0.05, 0.3 + (i % 7) * 0.1, 0, i % 2 == 0};
    }
    struct timespec a, b;
    double checksum = 0;
    clock_gettime(CLOCK_MONOTONIC, &a);
    for (long i = 0; i < evaluations; i++) {
        greeks g = black76(grid[i % 1000]);
        checksum += g.delta + g.gamma + g.vega + g.theta + g.value;
    }
    clock_gettime(CLOCK_MONOTONIC, &b);
    printf("%ld %.6f %.6f\n", evaluations, (b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) / 1e9, checksum);
    return 0;
}
