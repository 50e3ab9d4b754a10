-- use_snapshot: unqualified table names resolve to the attached snapshot.
USE db;
