# Writes the sklearn reference values used by LassoSolverTests.Coordinate_descent_reproduces_sklearn.
# Run with Debian's python3-sklearn 1.2.1 (same cd_fast algorithm as the reference's 0.23.2).
import numpy as np
from sklearn.linear_model import Lasso
rng = np.random.RandomState(5)
A = rng.rand(7, 21)
z = 1e-3 * rng.randn(7)
np.set_printoptions(precision=17)
def fmt(v): return "[" + ", ".join(repr(float(x)) for x in v) + "]"
print("A =", fmt(A.ravel()))
print("z =", fmt(z))
for fi in (False, True):
    m = Lasso(alpha=1e-5, fit_intercept=fi).fit(A, z)   # sklearn defaults: max_iter 1000, tol 1e-4, cyclic
    print("fit_intercept", fi, "n_iter", m.n_iter_, "intercept", repr(float(m.intercept_)))
    print("coef =", fmt(m.coef_))
