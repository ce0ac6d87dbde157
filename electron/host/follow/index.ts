/**
 * Following runs this host does not drive: run folders written by Slurm tasks on other machines
 * or by another lab on the same data folder, observed by polling their files.
 */
export { readLines, RunFollower, type FollowOptions, type FollowTarget } from './run-follower.js';
